#include "gpufleet/ledger/witness.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "gpufleet/ledger/merkle.h"
#include "gpufleet/ledger/small_file.h"

namespace gpufleet::ledger {
namespace {

std::string Sized(uint64_t size) { return "size " + std::to_string(size); }

// An flock held for the object's lifetime.
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {}
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }

 private:
  int fd_;
};

Result<std::unique_ptr<FileLock>> Lock(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot open '" + path + "': " + std::strerror(errno));
  auto lock = std::make_unique<FileLock>(fd);
  if (::flock(fd, LOCK_EX) != 0) {
    return Status::IOError("cannot lock '" + path + "': " + std::strerror(errno));
  }
  return lock;
}

}  // namespace

Result<std::optional<OpenedCheckpoint>> Witness::ReadState() const {
  std::error_code ec;
  if (!std::filesystem::exists(state_path_, ec)) {
    if (ec) return Status::IOError("cannot stat '" + state_path_ + "': " + ec.message());
    return std::optional<OpenedCheckpoint>();
  }
  Result<std::string> text = ReadSmallFile(state_path_);
  if (!text.ok()) return text.status();
  Result<OpenedCheckpoint> opened = OpenCheckpoint(*text, log_key_);
  if (!opened.ok()) {
    return Status::Corruption("witness state '" + state_path_ +
                              "' does not hold a checkpoint signed by " + log_key_.Id() + ": " +
                              opened.status().message());
  }
  return std::optional<OpenedCheckpoint>(std::move(*opened));
}

Result<std::optional<Checkpoint>> Witness::Last() const {
  Result<std::optional<OpenedCheckpoint>> state = ReadState();
  if (!state.ok()) return state.status();
  if (!state->has_value()) return std::optional<Checkpoint>();
  return std::optional<Checkpoint>((*state)->checkpoint);
}

Status Witness::WriteState(const std::string& cosigned) const {
  return ReplaceFileDurably(state_path_, cosigned);
}

Result<std::string> Witness::Cosign(std::string_view signed_checkpoint,
                                    const std::optional<ConsistencyProofMessage>& proof) {
  Result<std::unique_ptr<FileLock>> lock = Lock(state_path_ + ".lock");
  if (!lock.ok()) return lock.status();

  Result<OpenedCheckpoint> next = OpenCheckpoint(signed_checkpoint, log_key_);
  if (!next.ok()) {
    return Status::Corruption("new checkpoint refused: " + next.status().message());
  }
  const Checkpoint& now = next->checkpoint;
  Result<std::optional<OpenedCheckpoint>> state = ReadState();
  if (!state.ok()) return state.status();

  if (state->has_value()) {
    const Checkpoint& last = (*state)->checkpoint;
    if (now.size < last.size) {
      return Status::FailedPrecondition("new checkpoint refused: its " + Sized(now.size) +
                                        " is below the " + Sized(last.size) +
                                        " already cosigned; a log never shrinks (rollback)");
    }
    if (now.size == last.size) {
      if (now.root != last.root) {
        return Status::Corruption("new checkpoint refused: " + Sized(now.size) +
                                  " was cosigned with head " + HexHash(last.root) +
                                  ", this one has " + HexHash(now.root) + " (a fork)");
      }
    } else {
      if (!proof) {
        return Status::FailedPrecondition("new checkpoint of " + Sized(now.size) +
                                          " needs a consistency proof from the cosigned " +
                                          Sized(last.size));
      }
      if (proof->old_size != last.size || proof->new_size != now.size) {
        return Status::InvalidArgument(
            "the consistency proof is between sizes " + std::to_string(proof->old_size) + " and " +
            std::to_string(proof->new_size) + "; the witness needs " + std::to_string(last.size) +
            " (cosigned) to " + std::to_string(now.size) + " (new)");
      }
      const Status consistent =
          VerifyConsistency(last.size, now.size, last.root, now.root, proof->hashes);
      if (!consistent.ok()) {
        return Status::Corruption(
            "new checkpoint refused: it does not extend the cosigned checkpoint of " +
            Sized(last.size) + " (the log rewrote history): " + consistent.message());
      }
    }
  }
  Result<std::string> cosigned = AddNoteSignature(next->note, key_);
  if (!cosigned.ok()) return cosigned.status();
  GPUFLEET_RETURN_IF_ERROR(WriteState(*cosigned));
  return cosigned;
}

}  // namespace gpufleet::ledger
