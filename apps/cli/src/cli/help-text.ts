import { DEFAULT_SPEED } from "./speed.js";

const EXIT_CODES = `Exit codes:
  0    success
  1    the run failed: Claude's error (claude_*, session_unavailable, provider_quota, max_turns_exhausted…) or timeout
  2    usage or configuration error (bad flags, config_invalid with the offending field, config_unknown_key,
       unreadable kubeconfig)
  3    cluster or infrastructure failure (k8s_* codes: permissions, image pull, scheduling, eviction…;
       doctor: a failing check)
  4    outcome unknown: the Job was kept and may still be running (k8s_outcome_unknown, state mismatch)
  130  cancelled with Ctrl-C, SIGTERM or SIGHUP (the Job was deleted)`;

const CLUSTER_OPTIONS = `  --kubeconfig <file>     kubeconfig to use (default: $KUBECONFIG, else the in-cluster service account)
  --context <name>        kubeconfig context (default: its current context)
  -n, --namespace <ns>    namespace (default: the context's namespace, else "default")`;

export const MAIN_HELP = `clipjob: run a Claude Code agent as a Kubernetes Job and watch it live.

Usage: clipjob <command> [options]

Commands:
  run [prompt]       run an agent; on the embedded simulated cluster unless a real one is named
  scenarios          list the simulated Claude behaviours for run --scenario
  doctor             check that this identity can run agent Jobs in a namespace (real cluster)
  jobs               list this tool's Jobs in a namespace (real cluster)
  logs <job>         print a Job's transcript; --follow to keep reading (real cluster)
  cancel <job>       delete a Job; its pod is stopped, the agent's claim stays (real cluster)

Run 'clipjob <command> --help' for a command's options.

The simulated cluster lives inside 'clipjob run' and ends with it, so 'jobs', 'logs', 'cancel' and
'doctor' need a real cluster (--kubeconfig, $KUBECONFIG, or running in a pod).

${EXIT_CODES}
`;

export const RUN_HELP = `Usage: clipjob run [prompt] [options]
       clipjob run --prompt-file <path|-> [options]

Runs one agent turn as a Kubernetes Job and shows its transcript live, then a summary (outcome, error code,
tokens, cost, duration, session and Job). Ctrl-C (or SIGTERM, SIGHUP) cancels the run and deletes its Job; a second one exits
at once.

Cluster (default: the embedded simulated cluster):
  --scenario <name>       simulated Claude behaviour (default "success"; see 'clipjob scenarios')
  --speed <x|max>         simulated time per real time (default ${DEFAULT_SPEED}: a 60 s run takes 3 s);
                          "max" runs on pure virtual time
  --cluster <kind>        "simulated" or "kubernetes" (default: kubernetes when --kubeconfig or --context is
                          given, else simulated; kubernetes without --kubeconfig uses $KUBECONFIG or in-cluster)
${CLUSTER_OPTIONS}
  --image <ref>           agent image (real cluster: required unless running in a pod whose image is reused)

Configuration (adapterConfig keys, validated like Paperclip's; later sources win):
  --config <file.json>    an adapterConfig JSON object
  --set <key=value>       one adapterConfig key, repeatable (e.g. --set timeoutSec=600 --set model=opus)
  --prompt-file <path|->  read the prompt from a file, or "-" for standard input (for prompts too large for
                          an argument list; the same payload limit applies)

The run (what Paperclip's heartbeat supplies):
  --agent-id <id>         agent id for labels and the one-Job-per-agent guard (default "clipjob-cli": two
                          runs with the same id block each other; --agent is the older spelling); a label
                          value as it is: letters, digits, '-', '_', '.', at most 63 characters (also --task-id)
  --task-id <id>          the task the run works on: a later run of the same task and agent may adopt its
                          Job if this process dies
  --resume <session>      continue a Claude session (claude --resume); the summary reports the session
  --workspace-claim <pvc> PersistentVolumeClaim in the Job's namespace mounted at /paperclip (Claude's HOME
                          and sessions; default: the host pod's /paperclip claim when run in its namespace)

Output:
  --json                  one JSON object per line: {"type":"progress"|"line"|"outcome",…}; the outcome last

${EXIT_CODES}

Examples:
  clipjob run "Summarise the README"
  clipjob run --scenario rate-limited
  clipjob run --scenario silent-then-success --speed 60
  clipjob run --json --speed max | jq -c 'select(.type=="outcome")'
  clipjob run --kubeconfig ~/.kube/config -n agents --image ghcr.io/acme/claude:1 "Fix the failing test"
  clipjob run --kubeconfig ~/.kube/config -n agents --image ghcr.io/acme/claude:1 --workspace-claim agent-home \
    --agent-id builder --task-id T-7 --resume 2f0c…  "Carry on"
`;

export const DOCTOR_HELP = `Usage: clipjob doctor [options]

Checks the cluster for agent runs: API reachable, namespace exists, every RBAC permission a run needs
(one access review each), the credentials Secret (secretRef) exists, and the /paperclip PVC is
ReadWriteMany. Prints pass/warn/fail with a hint for each problem. Exit 0 unless a check fails (3).

${CLUSTER_OPTIONS}
  --config <file.json>    adapterConfig (for namespace and secretRef)
  --set <key=value>       one adapterConfig key, repeatable
  --json                  the report as one JSON object
`;

export const JOBS_HELP = `Usage: clipjob jobs [options]

Lists this tool's Jobs (label paperclip.io/adapter-type=claude_k8s) with their run, agent and task labels,
phase (Running, Complete, Failed, Deleting) and age, newest first.

A live Job is marked "orphan?": this command supervises no run, so it cannot tell whether the Job's host
(a Paperclip server or another clipjob run) is still watching it. If no host is, the agent's next run
reattaches or blocks on it; 'clipjob cancel <job>' removes it.

${CLUSTER_OPTIONS}
  --json                  the rows as one JSON array
`;

export const LOGS_HELP = `Usage: clipjob logs <job> [options]

Prints the transcript of a Job's agent container, formatted like 'clipjob run' shows it.

  -f, --follow            keep reading until the container ends (survives dropped log streams)
  --raw                   print the raw stream-json lines instead
${CLUSTER_OPTIONS}
`;

export const CANCEL_HELP = `Usage: clipjob cancel <job> [options]

Deletes the Job (background propagation): its pod receives SIGTERM. The agent's claim Secret (which holds
the payload and owns the Job) is not deleted: the run holding it releases it, or the agent's next run takes it
over. Exit 0 when deleted, 2 when there is no such Job.

${CLUSTER_OPTIONS}
`;

export const SCENARIOS_HELP = `Usage: clipjob scenarios

Lists the simulated Claude behaviours 'clipjob run --scenario <name>' can play.
`;
