#!/bin/sh
# Registers the plugin baked into the image in Paperclip's adapter store (once; a record already there, e.g.
# from the board, is kept), writes a first config non-interactively, then runs the server in the foreground.
# An image without a baked plugin skips the registration: the plugin is then installed through the board or
# POST /api/adapters/install.
set -eu
PLUGIN=/opt/clipjob/node_modules/@clipjob/paperclip-adapter
STORE="$PAPERCLIP_HOME/adapter-plugins.json"
mkdir -p "$PAPERCLIP_HOME"
[ ! -d "$PLUGIN" ] || node -e '
const fs = require("fs");
const [store, dir] = process.argv.slice(1);
const pkg = JSON.parse(fs.readFileSync(dir + "/package.json", "utf8"));
const records = fs.existsSync(store) ? JSON.parse(fs.readFileSync(store, "utf8")) : [];
if (!records.some((r) => r.type === "claude_k8s")) {
  records.push({ packageName: dir, localPath: dir, version: pkg.version, type: "claude_k8s", installedAt: new Date().toISOString() });
  fs.writeFileSync(store, JSON.stringify(records, null, 2));
}' "$STORE" "$PLUGIN"
# `onboard -y` alone writes the loopback-only local_trusted quickstart whatever the environment says; with
# --bind it takes PAPERCLIP_DEPLOYMENT_MODE (and the rest) from the environment instead.
if [ ! -f "$PAPERCLIP_HOME/instances/default/config.json" ]; then
  exec paperclipai onboard -y ${PAPERCLIP_BIND:+--bind "$PAPERCLIP_BIND"} --data-dir "$PAPERCLIP_HOME" --no-install-service
fi
exec paperclipai run --data-dir "$PAPERCLIP_HOME"
