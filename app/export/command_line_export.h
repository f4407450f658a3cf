// --export: one view's figure of the trace the command computed, with no window.
#pragma once

#include "cli/command_line.h"
#include "figure_export.h"

#include <attn/trace.h>

#include <QTextStream>

// Why --export cannot draw this trace (a text without tokens, a head past the layer's, token
// links without room), or empty: asked before a dump is written, so that a refused command
// writes nothing.
QString commandLineExportProblem(const CommandLine& cli, const attn::Trace& trace);

// Why a token links figure has no room for its rows on its page (many heads on a small
// --size), with the size it needs; empty where it has.
QString tokenLinksRoomProblem(const Figure& figure, const attn::Trace& trace);

// Writes the figure of a trace commandLineExportProblem found nothing wrong with; returns
// the process exit code; messages go to err.
int runCommandLineExport(const CommandLine& cli, const attn::Trace& trace, QTextStream& err);
