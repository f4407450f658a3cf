// --export: computes the trace and writes one view's figure, with no window.
#pragma once

#include "cli/command_line.h"

#include <QTextStream>

// Returns the process exit code; messages go to err.
int runCommandLineExport(const CommandLine& cli, QTextStream& err);
