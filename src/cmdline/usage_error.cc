#include "gpufleet/cmdline/usage_error.h"

#include <ostream>
#include <string>

namespace gpufleet::cmdline {

int ExitForParseError(const CLI::App& app, const CLI::ParseError& e, std::ostream& out,
                      std::ostream& err) {
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e, out, err);
  const CLI::App* command = &app;
  while (!command->get_subcommands().empty()) command = command->get_subcommands().front();
  std::string name;
  for (const CLI::App* a = command; a != nullptr; a = a->get_parent()) {
    name = name.empty() ? a->get_name() : a->get_name() + " " + name;
  }
  const CLI::Formatter formatter;  // neither program changes CLI11's formatter
  err << name << ": " << e.what() << '\n'
      << formatter.make_usage(command, name) << "Run '" << name
      << " --help' for more information.\n";
  return kExitUsage;
}

}  // namespace gpufleet::cmdline
