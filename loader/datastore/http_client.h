// A small libcurl client for the datastores' HTTP APIs: one-shot requests and
// long-lived streamed responses (etcd and Kubernetes watches), both
// cancellable through a StopFlag.
#pragma once

#include <functional>
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

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::string body;                  // sent as application/json when not empty
    std::vector<std::string> headers;  // "Name: value"
    long timeout_ms = 10000;           // whole transfer; 0 = none (streams)
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
    // Appends data; calls on_object for each complete top-level object.
    // Returns false as soon as on_object does.
    bool feed(std::string_view data, const std::function<bool(std::string_view)> &on_object);

private:
    std::string buf_;
    size_t scanned_ = 0;
    int depth_ = 0;
    bool in_string_ = false, escaped_ = false;
    size_t start_ = std::string::npos;
};

}  // namespace podlane::datastore
