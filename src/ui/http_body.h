// How `baliza ui` writes a response body, and whether it is compressed.
//
// Why this exists: Debian's cpp-httplib (0.11) compresses every text/JSON body it is given with
// set_content(), and with brotli at quality 11 whenever the client offers `br`, which every
// browser does. That took 2.2-3.2 s for the 2.2 MB graph of a 10k-model project (curl, which
// offers no encoding, got it in 60 ms) and ~0.6 s for the cytoscape script at every page load.
// So bodies are handed to httplib as a sized content provider, which it never compresses, and
// the encoding is decided here:
//   - a client on this machine (loopback peer) gets the bytes as they are: moving them costs
//     nothing, compressing them only costs time on both ends;
//   - any other client that accepts gzip (Accept-Encoding, q-values honoured) gets gzip: a fast
//     level for bodies built per request, the best level for the embedded assets, compressed
//     once per process and kept.
// Responses that may be compressed carry `Vary: Accept-Encoding`.
//
// Threads: callable from any httplib worker thread; the asset cache is guarded by a mutex.
// Lifetime: the body is owned by the response (moved into a shared buffer); asset views point
// into the binary's embedded data and live as long as the process.
#pragma once

#include <string>
#include <string_view>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace baliza::ui {

// A body built for this request (JSON, CSV, plain-text errors).
void send_body(const httplib::Request& req, httplib::Response& res, std::string body,
               std::string_view content_type);

// An embedded asset (index.html, app.js, cytoscape): its gzip form is computed once.
void send_asset(const httplib::Request& req, httplib::Response& res, std::string_view content,
                std::string_view content_type);

// True when the request's Accept-Encoding accepts gzip (a "gzip", "x-gzip" or "*" entry whose
// q-value is not 0).
bool accepts_gzip(std::string_view accept_encoding);

// True when the peer address is on this machine (127.0.0.0/8, ::1, IPv4-mapped loopback).
bool is_loopback_peer(std::string_view remote_addr);

// gzip (RFC 1952) of data at a zlib level 1-9; throws a failure when zlib fails.
std::string gzip(std::string_view data, int level);

}  // namespace baliza::ui
