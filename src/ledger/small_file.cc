#include "gpufleet/ledger/small_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace gpufleet::ledger {

Result<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read '" + path + "': " + std::strerror(errno));
  std::string text(kMaxSmallFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::IOError("cannot read '" + path + "'");
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxSmallFileBytes) {
    return Status::InvalidArgument("'" + path + "' is over " + std::to_string(kMaxSmallFileBytes) +
                                   " bytes; not a key, checkpoint, proof or witness state");
  }
  return text;
}

Status ReplaceFileDurably(const std::string& path, std::string_view text, unsigned mode) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::IOError("cannot write '" + tmp + "': " + std::strerror(errno));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok) return Status::IOError("cannot write '" + tmp + "': " + std::strerror(saved));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot replace '" + path + "': " + std::strerror(errno));
  }
  // The rename is durable only once the directory entry is.
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || ::fsync(dfd) != 0) {
    const int err = errno;
    if (dfd >= 0) ::close(dfd);
    return Status::IOError("cannot sync '" + dir + "': " + std::strerror(err));
  }
  ::close(dfd);
  return Status::Ok();
}

}  // namespace gpufleet::ledger
