// --dump: the trace as one .npy per tensor plus manifest.json.
#pragma once

#include <attn/trace.h>

#include <QString>

// Writes into dir (created if missing). Throws attn::Error naming what could not be written.
void writeDump(const attn::Trace& trace, const QString& dir);
