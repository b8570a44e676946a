#include "gpufleet/ledger/key_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gpufleet/ledger/small_file.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::ledger {
namespace {

std::string_view TrimLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return line;
}

}  // namespace

Status WriteSignerKeyFile(const std::string& path, std::string_view signer_key) {
  // O_EXCL: never replace a key; 0600 from creation, so the secret is never readable by others
  // even for a moment (the umask can only remove bits).
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status::AlreadyExists("'" + path + "' exists; a key file is never overwritten");
    }
    return Status::IOError("cannot create '" + path + "': " + std::strerror(errno));
  }
  std::string text = std::string(signer_key) + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  const int saved = errno;
  OPENSSL_cleanse(text.data(), text.size());
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Status::IOError("cannot write '" + path + "': " + std::strerror(saved));
  }
  return Status::Ok();
}

Result<NoteSigner> ReadSignerKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::IOError("cannot read '" + path + "': " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::PermissionDenied("private key file '" + path + "' has mode " + mode +
                                    ", open to group or others; run chmod 600 '" + path + "'");
  }
  Result<std::string> text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  const std::string_view key = TrimLine(std::string_view(*text).substr(0, text->find('\n')));
  Result<NoteSigner> signer = NoteSigner::Parse(key);
  OPENSSL_cleanse(text->data(), text->size());
  if (!signer.ok()) {
    return Status::InvalidArgument("'" + path + "': " + signer.status().message());
  }
  return signer;
}

Result<std::vector<NoteVerifier>> ParseVerifierKeys(std::string_view text) {
  std::vector<NoteVerifier> keys;
  int line_no = 0;
  for (size_t start = 0; start <= text.size();) {
    size_t eol = text.find('\n', start);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = TrimLine(text.substr(start, eol - start));
    start = eol + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    Result<NoteVerifier> key = NoteVerifier::Parse(line);
    if (!key.ok()) {
      return Status::InvalidArgument("line " + std::to_string(line_no) + ": " +
                                     key.status().message());
    }
    keys.push_back(std::move(*key));
  }
  if (keys.empty()) return Status::InvalidArgument("no verifier key");
  return keys;
}

Result<std::vector<NoteVerifier>> ReadVerifierKeys(const std::string& key_or_path) {
  Result<NoteVerifier> inline_key = NoteVerifier::Parse(key_or_path);
  if (inline_key.ok()) return std::vector<NoteVerifier>{std::move(*inline_key)};
  Result<std::string> text = ReadSmallFile(key_or_path);
  if (!text.ok()) {
    return Status::InvalidArgument("'" + Excerpt(key_or_path) + "' is neither a verifier key (" +
                                   inline_key.status().message() + ") nor a readable file");
  }
  Result<std::vector<NoteVerifier>> keys = ParseVerifierKeys(*text);
  if (!keys.ok())
    return Status::InvalidArgument("'" + key_or_path + "': " + keys.status().message());
  return keys;
}

}  // namespace gpufleet::ledger
