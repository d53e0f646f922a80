#include "test_ctl_support.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "podlane/unique_fd.h"

namespace podlane::test {
namespace {

std::vector<char *> argv_of(const std::vector<std::string> &args) {
    std::vector<char *> argv;
    for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    return argv;
}

Status pin_map(const std::string &dir, bpf_map_type type, const char *name, unsigned key, unsigned value, unsigned max,
               unsigned flags = 0) {
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
    UniqueFd fd(bpf_map_create(type, name, key, value, max, &opts));
    if (!fd.valid()) return errno_error(std::string("create map ") + name, errno);
    std::string path = dir + "/" + name;
    if (bpf_obj_pin(fd.get(), path.c_str()) != 0) return errno_error("pin " + path, errno);
    return {};
}

}  // namespace

CtlRun run_podlanectl(const std::vector<std::string> &args, int as_uid) {
    std::vector<std::string> full = {PODLANECTL_BIN};
    full.insert(full.end(), args.begin(), args.end());
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return {};
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        if (as_uid >= 0 && (setgroups(0, nullptr) != 0 || setgid(as_uid) != 0 || setuid(as_uid) != 0)) _exit(126);
        auto argv = argv_of(full);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    CtlRun run;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string *sinks[2] = {&run.out, &run.err};
    int open_fds = 2;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
        if (poll(fds, 2, 1000) < 0) break;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buf[4096];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, n);
            } else {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    if (open_fds > 0) kill(pid, SIGKILL);  // hung: our own child, by pid
    for (auto &f : fds)
        if (f.fd >= 0) close(f.fd);
    int status = 0;
    waitpid(pid, &status, 0);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return run;
}

Status pin_node_maps(const std::string &dir, unsigned routes_max, bool with_ipv6) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return errno_error("create " + dir, ec.value());
    for (auto st : {pin_map(dir, BPF_MAP_TYPE_LPM_TRIE, PODLANE_MAP_ROUTES, sizeof(podlane_route_key),
                            sizeof(podlane_route_value), routes_max, BPF_F_NO_PREALLOC),
                    pin_map(dir, BPF_MAP_TYPE_HASH, PODLANE_MAP_ENDPOINTS, sizeof(podlane_endpoint_key),
                            sizeof(podlane_endpoint_value), PODLANE_ENDPOINTS_MAX),
                    pin_map(dir, BPF_MAP_TYPE_ARRAY, PODLANE_MAP_CONFIG, sizeof(__u32), sizeof(podlane_node_config), 1),
                    pin_map(dir, BPF_MAP_TYPE_PERCPU_ARRAY, PODLANE_MAP_STATS, sizeof(__u32),
                            sizeof(podlane_stat_value), PODLANE_REASON_MAX)})
        if (!st) return st;
    if (!with_ipv6) return {};
    for (auto st :
         {pin_map(dir, BPF_MAP_TYPE_LPM_TRIE, PODLANE_MAP_ROUTES6, sizeof(podlane_route6_key),
                  sizeof(podlane_route6_value), routes_max, BPF_F_NO_PREALLOC),
          pin_map(dir, BPF_MAP_TYPE_HASH, PODLANE_MAP_ENDPOINTS6, sizeof(podlane_endpoint6_key),
                  sizeof(podlane_endpoint_value), PODLANE_ENDPOINTS_MAX),
          pin_map(dir, BPF_MAP_TYPE_ARRAY, PODLANE_MAP_CONFIG6, sizeof(__u32), sizeof(podlane_node_config6), 1)})
        if (!st) return st;
    return {};
}

Status pin_router_maps(const std::string &dir) {
    if (auto st = pin_node_maps(dir); !st) return st;
    for (auto st : {pin_map(dir, BPF_MAP_TYPE_HASH, PODLANE_MAP_NEIGHBOURS, sizeof(podlane_neighbour_key),
                            sizeof(podlane_neighbour_value), PODLANE_NEIGHBOURS_MAX),
                    pin_map(dir, BPF_MAP_TYPE_HASH, PODLANE_MAP_ROUTER_PORTS, sizeof(podlane_router_port_key),
                            sizeof(podlane_router_port_value), PODLANE_TX_PORTS_MAX)})
        if (!st) return st;
    return {};
}

Status set_stat(const std::string &dir, unsigned reason, const std::vector<podlane_stat_value> &per_cpu) {
    int cpus = libbpf_num_possible_cpus();
    std::vector<podlane_stat_value> values(cpus);
    for (size_t i = 0; i < per_cpu.size() && i < values.size(); i++) values[i] = per_cpu[i];
    std::string path = dir + "/" + PODLANE_MAP_STATS;
    UniqueFd fd(bpf_obj_get(path.c_str()));
    if (!fd.valid()) return errno_error("open " + path, errno);
    __u32 key = reason;
    if (bpf_map_update_elem(fd.get(), &key, values.data(), BPF_ANY) != 0) return errno_error("update " + path, errno);
    return {};
}

Result<ChildProcess> ChildProcess::spawn(const std::vector<std::string> &args) {
    pid_t pid = fork();
    if (pid < 0) return errno_error("fork", errno);
    if (pid == 0) {
        auto argv = argv_of(args);
        execv(argv[0], argv.data());
        _exit(127);
    }
    return ChildProcess(pid);
}

ChildProcess::~ChildProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
}

}  // namespace podlane::test
