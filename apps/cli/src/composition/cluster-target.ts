import type { SimulationSpeed } from "../simulation/embedded-simulation.js";

/** Which cluster a scope binds the ports to. */
export type ClusterTarget =
  | { readonly kind: "simulated"; readonly speed: SimulationSpeed; readonly seed?: number }
  | {
      readonly kind: "kubernetes";
      /** Absent: the in-cluster service account. */
      readonly kubeconfigPath?: string;
      readonly context?: string;
      /** Overrides the kubeconfig context's namespace as the default. */
      readonly namespace?: string;
    };
