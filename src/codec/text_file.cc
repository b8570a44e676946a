#include "gpufleet/codec/text_file.h"

#include <fstream>
#include <sstream>

#include "gpufleet/model/utf8.h"

namespace gpufleet::codec {

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": read error");
  std::string contents = text.str();
  GPUFLEET_RETURN_IF_ERROR(CheckUtf8(contents, path));
  return contents;
}

}  // namespace gpufleet::codec
