#include "harness.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "podlane/abi/maps.h"

namespace podlane::test {

NamedNetns::NamedNetns(std::string name) : name_(std::move(name)) {
    ok_ = std::system(("ip netns add " + name_ + " 2>/dev/null").c_str()) == 0;
    if (ok_ && std::system(("ip -n " + name_ + " link set lo up").c_str()) != 0) ok_ = false;
}

NamedNetns::~NamedNetns() {
    // Deleting the namespace deletes everything in it (bridge, veths).
    if (ok_ && std::system(("ip netns del " + name_ + " 2>/dev/null").c_str()) != 0)
        std::fprintf(stderr, "warning: could not delete netns %s\n", name_.c_str());
}

nlohmann::json PluginRun::json() const {
    return nlohmann::json::parse(out, nullptr, false);
}

pid_t start_plugin(const std::string &binary, const std::string &node_netns, const EnvVars &env,
                   const std::string &stdin_text, int *stdout_fd) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        int ns = open(node_netns.c_str(), O_RDONLY | O_CLOEXEC);
        if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) _exit(126);
        dup2(in[0], 0);
        dup2(out[1], 1);
        std::vector<std::string> strings;
        for (const auto &[k, v] : env) strings.push_back(k + "=" + v);
        std::vector<char *> envp;
        for (auto &s : strings) envp.push_back(s.data());
        envp.push_back(nullptr);
        char *argv[] = {const_cast<char *>(binary.c_str()), nullptr};
        execve(binary.c_str(), argv, envp.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    // Config files are small: the pipe buffer takes them whole.
    if (write(in[1], stdin_text.data(), stdin_text.size()) < 0) perror("write plugin stdin");
    close(in[1]);
    *stdout_fd = out[0];
    return pid;
}

PluginRun finish_plugin(pid_t pid, int stdout_fd) {
    PluginRun run;
    char buf[4096];
    ssize_t n;
    while ((n = read(stdout_fd, buf, sizeof buf)) > 0) run.out.append(buf, n);
    close(stdout_fd);
    int status = 0;
    waitpid(pid, &status, 0);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return run;
}

PluginRun run_plugin(const std::string &binary, const std::string &node_netns, const EnvVars &env,
                     const std::string &stdin_text) {
    int fd = -1;
    pid_t pid = start_plugin(binary, node_netns, env, stdin_text, &fd);
    if (pid < 0) return {};
    return finish_plugin(pid, fd);
}

std::string shell(const std::string &cmd) {
    std::string out;
    FILE *p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

std::string create_node_maps(const std::string &pin_dir, unsigned config_flags) {
    struct Spec {
        const char *name;
        bpf_map_type type;
        unsigned key, value, max;
        unsigned flags;
    } specs[] = {
        {PODLANE_MAP_ROUTES, BPF_MAP_TYPE_LPM_TRIE, sizeof(podlane_route_key), sizeof(podlane_route_value),
         PODLANE_ROUTES_MAX, BPF_F_NO_PREALLOC},
        {PODLANE_MAP_ENDPOINTS, BPF_MAP_TYPE_HASH, sizeof(podlane_endpoint_key), sizeof(podlane_endpoint_value),
         PODLANE_ENDPOINTS_MAX, 0},
        {PODLANE_MAP_CONFIG, BPF_MAP_TYPE_ARRAY, 4, sizeof(podlane_node_config), 1, 0},
        {PODLANE_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(podlane_stat_value), PODLANE_REASON_MAX, 0},
        {PODLANE_MAP_SRC_EXEMPT, BPF_MAP_TYPE_HASH, sizeof(podlane_src_exempt_key), sizeof(podlane_src_exempt_value),
         PODLANE_SRC_EXEMPT_MAX, 0},
        {PODLANE_MAP_ENDPOINTS6, BPF_MAP_TYPE_HASH, sizeof(podlane_endpoint6_key), sizeof(podlane_endpoint_value),
         PODLANE_ENDPOINTS_MAX, 0},
    };
    for (const auto &s : specs) {
        LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = s.flags);
        int fd = bpf_map_create(s.type, s.name, s.key, s.value, s.max, &opts);
        if (fd < 0) return std::string("bpf_map_create ") + s.name + ": " + std::strerror(errno);
        if (std::string(s.name) == PODLANE_MAP_CONFIG) {
            __u32 zero = 0;
            podlane_node_config cfg{};
            cfg.flags = config_flags;
            bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY);
        }
        std::string path = pin_dir + "/" + s.name;
        int err = bpf_obj_pin(fd, path.c_str());
        int saved = errno;
        close(fd);
        if (err != 0) return "pin " + path + ": " + std::strerror(saved);
    }
    return "";
}

std::string pin_pass_program(const std::string &pin_dir) {
    struct bpf_insn insns[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, TC_ACT_OK},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "pl_test_pass", "GPL", insns, 2, nullptr);
    if (fd < 0) return std::string("bpf_prog_load: ") + std::strerror(errno);
    std::string path = pin_dir + "/" + PODLANE_PIN_PROG_FROM_POD;
    int err = bpf_obj_pin(fd, path.c_str());
    int saved = errno;
    close(fd);
    return err == 0 ? "" : "pin " + path + ": " + std::strerror(saved);
}

}  // namespace podlane::test
