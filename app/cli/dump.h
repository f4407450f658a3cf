// --dump: the trace as one .npy per tensor plus manifest.json.
#pragma once

#include <attn/engine.h>
#include <attn/model/model_trace.h>
#include <attn/trace.h>

#include <QString>
#include <QStringList>

// Throws attn::Error where a dump into dir would write over one of `read` (the files the
// command line reads: --inputs, --weights, --session).
void refuseDumpOverInputs(const QString& dir, const QStringList& read);

// Writes into dir (created if missing), with the request's texts in manifest.json: the
// tokens' byte spans index them. Throws attn::Error naming what could not be written.
void writeDump(const attn::Trace& trace, const attn::Request& request, const QString& dir);

// --model DIR --dump OUT: every layer of a trained model. weights.npy [layers x h x n x n],
// hidden.npy [layers+1 x n x d_model], the tokens with their ids, the model's shape and,
// for GPT-2, the next-token predictions in manifest.json, with the text that was run.
// Throws attn::Error like writeDump.
void writeModelDump(const attn::ModelTrace& trace, const QString& text, const QString& dir);
