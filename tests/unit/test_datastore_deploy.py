#!/usr/bin/env python3
"""Checks the Kubernetes manifests in deploy/ for the fields that matter.

kubectl cannot validate offline (even --dry-run=client asks a server), so
this parses the YAML (Debian python3-yaml) and asserts what podlane needs:
host network, least privilege, the bpffs / CNI host mounts, the init steps, RBAC
on nodes, and that the scripts and files the manifests name exist in the
image recipe. Exit 77 (skipped) without the yaml module.
"""
import os
import sys
import unittest

try:
    import yaml
except ImportError:
    print("skipped: python3-yaml is not installed")
    sys.exit(77)

DEPLOY = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../deploy")


def load(name):
    with open(os.path.join(DEPLOY, "kubernetes", name)) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def by_kind(docs, kind):
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, "expected one %s, found %d" % (kind, len(found))
    return found[0]


class DaemonSet(unittest.TestCase):
    def setUp(self):
        self.ds = by_kind(load("daemonset.yaml"), "DaemonSet")
        self.pod = self.ds["spec"]["template"]["spec"]
        self.volumes = {v["name"]: v for v in self.pod["volumes"]}

    def container(self, name, init=False):
        for c in self.pod["initContainers" if init else "containers"]:
            if c["name"] == name:
                return c
        self.fail("no container " + name)

    def host_path_of(self, container, mount_path):
        for m in container["volumeMounts"]:
            if m["mountPath"] == mount_path:
                return self.volumes[m["name"]]["hostPath"]["path"], m
        self.fail("%s mounts nothing at %s" % (container["name"], mount_path))

    def test_selector_matches_template(self):
        labels = self.ds["spec"]["template"]["metadata"]["labels"]
        for k, v in self.ds["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(labels.get(k), v)

    def test_host_network_and_runs_everywhere(self):
        self.assertIs(self.pod["hostNetwork"], True)
        self.assertEqual(self.pod["dnsPolicy"], "ClusterFirstWithHostNet")
        self.assertIn({"operator": "Exists"}, self.pod["tolerations"])
        self.assertEqual(self.pod["priorityClassName"], "system-node-critical")
        self.assertEqual(self.pod["serviceAccountName"], "podlane")

    def test_only_host_setup_is_privileged_and_it_mounts_bpffs_for_the_host(self):
        setup = self.container("host-setup", init=True)
        self.assertIs(setup["securityContext"]["privileged"], True)
        path, mount = self.host_path_of(setup, "/sys/fs/bpf")
        self.assertEqual(path, "/sys/fs/bpf")
        self.assertEqual(mount.get("mountPropagation"), "Bidirectional")
        for c in self.pod["initContainers"] + self.pod["containers"]:
            if c["name"] != "host-setup":
                self.assertIs(c["securityContext"].get("privileged", False), False, c["name"])
                self.assertIs(c["securityContext"]["allowPrivilegeEscalation"], False, c["name"])
                self.assertIs(c["securityContext"]["readOnlyRootFilesystem"], True, c["name"])
                self.assertEqual(c["securityContext"]["capabilities"]["drop"], ["ALL"], c["name"])
        self.assertEqual(self.pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault")

    def test_agent_runs_with_exactly_the_capabilities_the_capability_test_checks(self):
        agent = self.container("podlaned")
        caps = agent["securityContext"]["capabilities"]["add"]
        self.assertEqual(sorted(caps), ["BPF", "NET_ADMIN", "PERFMON"])
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../netns/agent_capabilities.sh")
        with open(script) as f:
            self.assertIn("daemonset.yaml", f.read(), "the capability test must read the list from the manifest")
        path, mount = self.host_path_of(agent, "/sys/fs/bpf")
        self.assertEqual(path, "/sys/fs/bpf")
        self.assertEqual(mount.get("mountPropagation"), "HostToContainer")
        self.assertIn("--datastore=kubernetes", agent["args"])
        self.assertIn("--config=/etc/podlane/node.json", agent["args"])
        path, mount = self.host_path_of(agent, "/etc/podlane")
        self.assertEqual(path, "/etc/podlane")

    def test_agent_installs_the_network_list_once_ready(self):
        agent = self.container("podlaned")
        args = dict(a.split("=", 1) for a in agent["args"] if "=" in a)
        conflist = args["--cni-conflist"]
        mounted = [m for m in agent["volumeMounts"] if conflist.startswith(m["mountPath"] + "/")]
        self.assertEqual(len(mounted), 1, conflist + " is not in a volume podlaned mounts")
        self.assertEqual(self.volumes[mounted[0]["name"]]["configMap"]["name"], "podlane-config")
        path, mount = self.host_path_of(agent, args["--cni-conf-dir"])
        self.assertEqual(path, "/etc/cni/net.d")
        self.assertFalse(mount.get("readOnly", False))
        for c in self.pod["initContainers"]:
            for m in c["volumeMounts"]:
                self.assertNotEqual(self.volumes[m["name"]].get("hostPath", {}).get("path"), "/etc/cni/net.d",
                                    c["name"] + " must not install the network list before podlaned is ready")

    def test_probes_ask_podlanectl(self):
        agent = self.container("podlaned")
        for probe in ("readinessProbe", "livenessProbe"):
            self.assertEqual(agent[probe]["exec"]["command"], ["/usr/bin/podlanectl", "status", "--check"])

    def test_metrics_port_is_exposed_and_annotated_for_scraping(self):
        agent = self.container("podlaned")
        self.assertIn("--metrics-address=:9965", agent["args"])
        ports = {p["name"]: p for p in agent.get("ports", [])}
        self.assertEqual(ports["metrics"]["containerPort"], 9965)
        self.assertEqual(ports["metrics"]["protocol"], "TCP")
        notes = self.ds["spec"]["template"]["metadata"]["annotations"]
        self.assertEqual(notes["prometheus.io/scrape"], "true")
        self.assertEqual(notes["prometheus.io/port"], "9965")
        self.assertEqual(notes["prometheus.io/path"], "/metrics")

    def test_every_volume_is_mounted(self):
        mounted = {m["name"] for c in self.pod["initContainers"] + self.pod["containers"] for m in c["volumeMounts"]}
        self.assertEqual(mounted, set(self.volumes))

    def test_init_installs_the_plugin_onto_the_host(self):
        install = self.container("install-cni", init=True)
        env = {e["name"]: e.get("value") for e in install["env"]}
        path, _ = self.host_path_of(install, env["CNI_BIN_DIR"])
        self.assertEqual(path, "/opt/cni/bin")
        self.assertFalse(install["securityContext"]["privileged"])

    def test_node_file_gets_name_and_ip_from_the_downward_api(self):
        init = self.container("node-config", init=True)
        env = {e["name"]: e for e in init["env"]}
        self.assertEqual(env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "spec.nodeName")
        self.assertEqual(env["NODE_IP"]["valueFrom"]["fieldRef"]["fieldPath"], "status.hostIP")
        path, _ = self.host_path_of(init, "/etc/podlane")
        self.assertEqual(path, "/etc/podlane")

    def test_dual_stack_is_an_optional_config_map_key(self):
        init = self.container("node-config", init=True)
        env = {e["name"]: e for e in init["env"]}
        for c in (init, self.container("host-setup", init=True)):
            env = {e["name"]: e for e in c["env"]}
            ref = env["CLUSTER_CIDR_V6"]["valueFrom"]["configMapKeyRef"]
            self.assertEqual((ref["name"], ref["key"]), ("podlane-config", "cluster-cidr-v6"), c["name"])
            self.assertTrue(ref["optional"], "an IPv4-only cluster has no such key")
        with open(os.path.join(DEPLOY, "image", "node-config.sh")) as f:
            script = f.read()
        self.assertIn("CLUSTER_CIDR_V6", script)
        self.assertIn("clusterCIDRv6", script)

    def test_scripts_named_by_the_manifest_are_in_the_image(self):
        with open(os.path.join(DEPLOY, "image", "Dockerfile")) as f:
            dockerfile = f.read()
        for c in self.pod["initContainers"] + self.pod["containers"]:
            cmd = c["command"][0]
            self.assertTrue(cmd.startswith("/usr/"), cmd)
            base = os.path.basename(cmd)
            self.assertIn(base, dockerfile, "%s runs %s, which the image recipe does not install" % (c["name"], cmd))
            script = os.path.join(DEPLOY, "image", base)
            if base.endswith(".sh"):
                self.assertTrue(os.access(script, os.X_OK), script + " must exist and be executable")


class ConfigMap(unittest.TestCase):
    def test_conflist_points_at_the_node_file(self):
        import json
        cm = by_kind(load("configmap.yaml"), "ConfigMap")
        conflist = json.loads(cm["data"]["10-podlane.conflist"])
        self.assertEqual(conflist["plugins"][0]["type"], "podlane")
        self.assertEqual(conflist["plugins"][0]["nodeConfig"], "/etc/podlane/node.json")
        self.assertTrue(cm["data"]["cluster-cidr"].endswith("/16"))


class Rbac(unittest.TestCase):
    def test_nodes_get_list_watch_bound_to_the_service_account(self):
        docs = load("rbac.yaml")
        sa = by_kind(docs, "ServiceAccount")
        role = by_kind(docs, "ClusterRole")
        binding = by_kind(docs, "ClusterRoleBinding")
        rules = [r for r in role["rules"] if "nodes" in r["resources"]]
        self.assertEqual(len(rules), 1)
        self.assertEqual(rules[0]["apiGroups"], [""])
        self.assertEqual(sorted(rules[0]["verbs"]), ["get", "list", "watch"])
        # Least privilege: the readiness gate's patch of nodes/status (the
        # NetworkUnavailable condition) is the only write; nothing else.
        status = [r for r in role["rules"] if "nodes/status" in r["resources"]]
        self.assertEqual(status, [{"apiGroups": [""], "resources": ["nodes/status"], "verbs": ["patch"]}])
        self.assertEqual(len(role["rules"]), 2, role["rules"])
        self.assertEqual(binding["roleRef"], {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                              "name": role["metadata"]["name"]})
        self.assertIn({"kind": "ServiceAccount", "name": sa["metadata"]["name"],
                       "namespace": sa["metadata"]["namespace"]}, binding["subjects"])
        ds = by_kind(load("daemonset.yaml"), "DaemonSet")
        self.assertEqual(ds["metadata"]["namespace"], sa["metadata"]["namespace"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
