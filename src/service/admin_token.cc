#include "gpufleet/service/admin_token.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "gpufleet/api/auth.h"

namespace gpufleet::service {

IssuedToken NewTokenRecord(store::Role role, int64_t now_ms) {
  IssuedToken issued;
  issued.secret = api::NewToken();
  issued.record.sha256_hex = api::HashToken(issued.secret);
  issued.record.id = store::TokenIdForHash(issued.record.sha256_hex);
  issued.record.role = role;
  issued.record.created_at_ms = now_ms;
  return issued;
}

Result<std::optional<std::string>> CreateInitialAdminToken(store::Store& store, int64_t now_ms) {
  Result<std::vector<store::TokenRecord>> tokens = store.ListTokens();
  if (!tokens.ok()) return tokens.status();
  for (const store::TokenRecord& t : *tokens) {
    if (t.name == kInitialAdminName) return std::optional<std::string>();
  }
  IssuedToken issued = NewTokenRecord(store::Role::kAdmin, now_ms);
  issued.record.name = std::string(kInitialAdminName);
  const Status put = store.PutToken(issued.record);
  // Another instance created it between the listing and the insert.
  if (put.code() == Status::Code::kAlreadyExists) return std::optional<std::string>();
  if (!put.ok()) return put;
  return std::optional<std::string>(std::move(issued.secret));
}

Result<std::string> RotateAdminToken(store::Store& store, int64_t now_ms) {
  IssuedToken issued = NewTokenRecord(store::Role::kAdmin, now_ms);
  issued.record.name = std::string(kInitialAdminName);
  GPUFLEET_RETURN_IF_ERROR(store.ReplaceNamedToken(issued.record));
  return std::move(issued.secret);
}

Status WriteSecretFile(const std::string& path, std::string_view secret) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return Status::IOError("cannot create '" + parent.string() + "': " + ec.message());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot write '" + path + "': " + std::strerror(errno));
  const std::string text = std::string(secret) + "\n";
  // fchmod: a file that already existed keeps its mode through open(); the secret must not.
  const bool ok = ::fchmod(fd, 0600) == 0 &&
                  ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok) return Status::IOError("cannot write '" + path + "': " + std::strerror(saved));
  return Status::Ok();
}

}  // namespace gpufleet::service
