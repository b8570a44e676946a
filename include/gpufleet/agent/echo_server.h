#pragma once
// The agent's echo for landmarks (docs/agent.md, "Location evidence"): POST /echo with
// {"nonce": "<64 hex>"} answers {"node", "nonce", "signature", "key"}, the signature being the
// node's Ed25519 signature (ledger/note_key.h) of codec::EchoMessage(node, nonce) and `key` its
// verifier key (what the landmark checks the answer with; the service checks it against the
// key the node reported, so a key given here proves nothing by itself). A landmark times
// the round trip; the service checks the signature against the echo key the node reports, so
// that the answer is known to come from the node's key, not from a box nearer the landmark.
//
// Served by cpp-httplib on a thread of its own, independent of the report loop: an echo must
// be answered at once whatever the loop is waiting on.
//
// Thread safety: Start and Stop from one thread; the server answers on its own threads.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gpufleet/ledger/note_key.h"
#include "gpufleet/status.h"

namespace gpufleet::agent {

struct EchoOptions {
  std::string host = "127.0.0.1";  // what to listen on
  int port = 0;                    // 0: any free port (port() says which)
  std::string node{};              // REQUIRES: not empty; signed into every echo
  // Waited before each answer. A diagnostic and test knob: it shows that a node can always
  // add delay (seem farther), never remove it. Default none.
  std::chrono::milliseconds delay{0};
};

class EchoServer {
 public:
  // Binds and starts answering. IOError when the address cannot be bound.
  static Result<std::unique_ptr<EchoServer>> Start(const EchoOptions& options,
                                                   ledger::NoteSigner key);
  virtual ~EchoServer() = default;
  // The port bound.
  virtual int port() const = 0;
  // Stops answering and joins the server's thread; the destructor does it too.
  virtual void Stop() = 0;
};

}  // namespace gpufleet::agent
