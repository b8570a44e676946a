#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "gpufleet/catalog/catalog.h"

namespace gpufleet::catalog {
namespace {

namespace fs = std::filesystem;

// build/<preset>/gpufleet is two levels below the source tree; test binaries sit one deeper.
constexpr int kExeParentsToSearch = 3;

bool IsFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

}  // namespace

std::string DefaultDataPath(std::string_view relative) {
  if (const char* dir = std::getenv("GPUFLEET_DATA_DIR")) {
    const fs::path p = fs::path(dir) / relative;
    return IsFile(p) ? p.string() : "";
  }
  const fs::path in_tree = fs::path("data") / relative;
  for (const fs::path& p : {in_tree, fs::path("..") / in_tree}) {
    if (IsFile(p)) return p.string();
  }
  std::error_code ec;
  fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec) return "";
  for (int up = 0; up <= kExeParentsToSearch && !dir.empty(); ++up) {
    if (IsFile(dir / in_tree)) return (dir / in_tree).string();
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return "";
}

std::string DefaultCatalogPath() { return DefaultDataPath("catalog/accelerators.yaml"); }

}  // namespace gpufleet::catalog
