// A small libcurl client for the datastores' HTTP APIs: one-shot requests and
// long-lived streamed responses (etcd and Kubernetes watches), both
// cancellable through a StopFlag.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "datastore/stop_flag.h"
#include "podlane/result.h"

namespace podlane::datastore {

struct TlsOptions {
    // Files, or in-memory PEM (kubeconfig *-data fields); a file wins.
    std::string ca_file, cert_file, key_file;
    std::string ca_pem, cert_pem, key_pem;
    bool insecure_skip_verify = false;
};

// The most a datastore sends in one answer: a list of 5000 Node objects is
// about 10 MiB. A server (or anything posing as one) that sends more, or a
// watch event that never closes, fails the request instead of growing the
// agent's memory without end.
inline constexpr std::size_t kMaxAnswerBytes = 16u << 20;
inline constexpr std::size_t kMaxWatchEventBytes = 1u << 20;

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::string body;                              // sent as application/json when not empty (unless a header types it)
    std::vector<std::string> headers;              // "Name: value"
    long timeout_ms = 10000;                       // whole transfer; 0 = none (streams)
    std::size_t max_body_bytes = kMaxAnswerBytes;  // of a buffered answer (send, or a stream's non-2xx)
};

struct HttpResponse {
    long status = 0;
    std::string body;  // for stream(): only the body of a non-2xx answer
};

class HttpClient {
public:
    explicit HttpClient(TlsOptions tls = {}, std::string bearer_token = {});

    // A transport failure (refused, timeout, TLS) is an Error; any HTTP
    // status is a response.
    Result<HttpResponse> send(const HttpRequest &req, StopFlag *stop = nullptr) const;

    // Streams a 2xx body to on_data as it arrives until the server ends it,
    // on_data returns false, or `stop` is requested (all three: a response).
    Result<HttpResponse> stream(const HttpRequest &req, const std::function<bool(std::string_view)> &on_data,
                                StopFlag &stop) const;

private:
    Result<HttpResponse> perform(const HttpRequest &req, const std::function<bool(std::string_view)> *on_data,
                                 StopFlag *stop) const;
    TlsOptions tls_;
    std::string bearer_token_;
};

// Splits a stream of concatenated JSON objects (newline-separated or not)
// into complete objects, whatever the chunk boundaries.
class JsonObjectSplitter {
public:
    explicit JsonObjectSplitter(std::size_t max_object_bytes = kMaxWatchEventBytes)
        : max_object_bytes_(max_object_bytes) {}
    // Appends data; calls on_object for each complete top-level object.
    // Returns false as soon as on_object does, or when an object grows past
    // max_object_bytes (then error() says so and every later feed fails).
    bool feed(std::string_view data, const std::function<bool(std::string_view)> &on_object);
    const std::optional<Error> &error() const { return error_; }

private:
    std::size_t max_object_bytes_;
    std::optional<Error> error_;
    std::string buf_;
    size_t scanned_ = 0;
    int depth_ = 0;
    bool in_string_ = false, escaped_ = false;
    size_t start_ = std::string::npos;
};

}  // namespace podlane::datastore
