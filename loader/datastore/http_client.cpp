#include "datastore/http_client.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <memory>

namespace podlane::datastore {
namespace {

// libcurl wants curl_global_init before the first handle; once per process.
void ensure_curl_initialised() {
    static const bool initialised = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
    (void)initialised;
}

struct Transfer {
    const std::function<bool(std::string_view)> *on_data = nullptr;
    CURL *easy = nullptr;
    HttpResponse response;
    size_t max_body_bytes = 0;
    bool ended_by_reader = false;
    bool too_large = false;
};

size_t write_cb(char *data, size_t size, size_t n, void *user) {
    auto *t = static_cast<Transfer *>(user);
    size_t len = size * n;
    long code = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
    if (!t->on_data || code < 200 || code > 299) {
        if (t->response.body.size() + len > t->max_body_bytes) {
            t->too_large = true;
            return 0;  // CURLE_WRITE_ERROR: ends the transfer
        }
        t->response.body.append(data, len);
        return len;
    }
    if (!(*t->on_data)(std::string_view(data, len))) {
        t->ended_by_reader = true;
        return 0;  // CURLE_WRITE_ERROR: our way to end the transfer
    }
    return len;
}

void wake_multi(void *multi) {
    curl_multi_wakeup(static_cast<CURLM *>(multi));
}

// CURL and CURLM are both void: one deleter each.
struct EasyDeleter {
    void operator()(CURL *c) const { curl_easy_cleanup(c); }
};
struct MultiDeleter {
    void operator()(CURLM *m) const { curl_multi_cleanup(m); }
};
struct SlistDeleter {
    void operator()(curl_slist *s) const { curl_slist_free_all(s); }
};

void set_blob(CURL *easy, CURLoption opt, const std::string &pem) {
    curl_blob blob{const_cast<char *>(pem.data()), pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(easy, opt, &blob);
}

}  // namespace

HttpClient::HttpClient(TlsOptions tls, std::string bearer_token)
    : tls_(std::move(tls)), bearer_token_(std::move(bearer_token)) {
    ensure_curl_initialised();
}

Result<HttpResponse> HttpClient::send(const HttpRequest &req, StopFlag *stop) const {
    return perform(req, nullptr, stop);
}

Result<HttpResponse> HttpClient::stream(const HttpRequest &req, const std::function<bool(std::string_view)> &on_data,
                                        StopFlag &stop) const {
    return perform(req, &on_data, &stop);
}

Result<HttpResponse> HttpClient::perform(const HttpRequest &req, const std::function<bool(std::string_view)> *on_data,
                                         StopFlag *stop) const {
    std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
    std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
    if (!easy || !multi) return Error{req.method + " " + req.url + ": cannot create a libcurl handle"};

    Transfer t;
    t.on_data = on_data;
    t.easy = easy.get();
    t.max_body_bytes = req.max_body_bytes;
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *e = easy.get();
    curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req.timeout_ms);
    // Idle watch streams are legitimate; dead peers are found by keepalive.
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 10L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 5L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    if (!req.body.empty()) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.c_str());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
    }

    std::unique_ptr<curl_slist, SlistDeleter> headers;
    auto add_header = [&headers](const std::string &h) {
        headers.reset(curl_slist_append(headers.release(), h.c_str()));
    };
    add_header("Accept: application/json");
    const bool typed = std::any_of(req.headers.begin(), req.headers.end(), [](const std::string &h) {
        return strncasecmp(h.c_str(), "Content-Type:", 13) == 0;
    });
    if (!req.body.empty() && !typed) add_header("Content-Type: application/json");
    if (!bearer_token_.empty()) add_header("Authorization: Bearer " + bearer_token_);
    for (const auto &h : req.headers) add_header(h);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());

    if (!tls_.ca_file.empty())
        curl_easy_setopt(e, CURLOPT_CAINFO, tls_.ca_file.c_str());
    else if (!tls_.ca_pem.empty())
        set_blob(e, CURLOPT_CAINFO_BLOB, tls_.ca_pem);
    if (!tls_.cert_file.empty())
        curl_easy_setopt(e, CURLOPT_SSLCERT, tls_.cert_file.c_str());
    else if (!tls_.cert_pem.empty())
        set_blob(e, CURLOPT_SSLCERT_BLOB, tls_.cert_pem);
    if (!tls_.key_file.empty())
        curl_easy_setopt(e, CURLOPT_SSLKEY, tls_.key_file.c_str());
    else if (!tls_.key_pem.empty())
        set_blob(e, CURLOPT_SSLKEY_BLOB, tls_.key_pem);
    if (tls_.insecure_skip_verify) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }

    curl_multi_add_handle(multi.get(), e);
    if (stop && !stop->add_waker(multi.get(), wake_multi)) {
        curl_multi_remove_handle(multi.get(), e);
        return Error{req.method + " " + req.url + ": stopped"};
    }
    bool stopped = false;
    int running = 1;
    while (running) {
        if (curl_multi_perform(multi.get(), &running) != CURLM_OK) break;
        if (!running) break;
        if (stop && stop->stop_requested()) {
            stopped = true;
            break;
        }
        curl_multi_poll(multi.get(), nullptr, 0, 1000, nullptr);
    }
    if (stop) stop->remove_waker(multi.get());

    CURLcode rc = CURLE_OK;
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(multi.get(), &left))
        if (msg->msg == CURLMSG_DONE) rc = msg->data.result;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &t.response.status);
    curl_multi_remove_handle(multi.get(), e);

    if (t.too_large)
        return Error{req.method + " " + req.url + ": the answer is larger than " +
                     std::to_string(req.max_body_bytes >> 20) + " MiB (" + std::to_string(req.max_body_bytes) +
                     " bytes); refusing to buffer it"};
    if (stopped || t.ended_by_reader) return std::move(t.response);
    if (rc != CURLE_OK) return Error{req.method + " " + req.url + ": " + (errbuf[0] ? errbuf : curl_easy_strerror(rc))};
    return std::move(t.response);
}

bool JsonObjectSplitter::feed(std::string_view data, const std::function<bool(std::string_view)> &on_object) {
    if (error_) return false;
    // Whole objects leave the buffer as soon as they close; what stays is one
    // object still open, which may not grow without end. Checked per byte
    // scanned, so a large chunk of small objects is fine.
    buf_.append(data);
    for (; scanned_ < buf_.size(); ++scanned_) {
        if (scanned_ >= max_object_bytes_ && (depth_ > 0 || in_string_)) {
            error_ = Error{"a streamed JSON object is larger than " + std::to_string(max_object_bytes_) +
                           " bytes; ending the stream"};
            buf_.clear();
            buf_.shrink_to_fit();
            return false;
        }
        char c = buf_[scanned_];
        if (in_string_) {
            if (escaped_)
                escaped_ = false;
            else if (c == '\\')
                escaped_ = true;
            else if (c == '"')
                in_string_ = false;
            continue;
        }
        if (c == '"') {
            in_string_ = true;
        } else if (c == '{') {
            if (depth_++ == 0) start_ = scanned_;
        } else if (c == '}' && depth_ > 0 && --depth_ == 0) {
            bool go_on = on_object(std::string_view(buf_).substr(start_, scanned_ + 1 - start_));
            buf_.erase(0, scanned_ + 1);
            scanned_ = 0;
            start_ = std::string::npos;
            if (!go_on) return false;
            --scanned_;  // the loop's ++ brings it back to 0
        }
    }
    if (depth_ == 0) {  // only whitespace between objects so far
        buf_.clear();
        scanned_ = 0;
    }
    return true;
}

}  // namespace podlane::datastore
