// --export: one view's figure of the trace the command computed, with no window.
#pragma once

#include "cli/command_line.h"

#include <attn/trace.h>

#include <QTextStream>

// Why --export cannot draw this trace (a text without tokens, a head past the layer's), or
// empty: asked before a dump is written, so that a refused command writes nothing.
QString commandLineExportProblem(const CommandLine& cli, const attn::Trace& trace);

// Writes the figure of a trace commandLineExportProblem found nothing wrong with; returns
// the process exit code; messages go to err.
int runCommandLineExport(const CommandLine& cli, const attn::Trace& trace, QTextStream& err);
