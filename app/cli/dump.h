// --dump: the trace as one .npy per tensor plus manifest.json.
#pragma once

#include <attn/engine.h>
#include <attn/model/model_trace.h>
#include <attn/trace.h>

#include <QString>
#include <QStringList>

// Throws attn::Error where dir cannot take a dump: it is a file, or a folder that holds
// something besides a finished earlier dump, one with its manifest (files of the system's
// own, such as .DS_Store, and other hidden names aside, and figures exported beside it).
void refuseDumpFolder(const QString& dir);

// Throws attn::Error where a dump into dir would write over one of `read` (the files the
// command line reads: --inputs, --weights, --session).
void refuseDumpOverInputs(const QString& dir, const QStringList& read);

// The files a dump's numbers came from, named in its manifest; empty: none.
struct DumpSources {
    QString weightsFile; // --weights
    QString inputsFile;  // --inputs
};

// Writes into dir (created if missing), with the request's texts in manifest.json: the
// tokens' byte spans index them. A folder may hold an earlier dump, whose files are
// replaced only once the new dump is written whole, and nothing else: a file of the user's
// is never written over or mixed in. Throws attn::Error naming what could not be written
// and saying that the earlier dump, if any, is unchanged.
void writeDump(const attn::Trace& trace, const attn::Request& request, const DumpSources& sources, const QString& dir);

// --model DIR --dump OUT: every layer of a trained model. weights.npy [layers x h x n x n],
// hidden.npy [layers+1 x n x d_model], the tokens with their ids, the model's shape and,
// for GPT-2, the next-token predictions in manifest.json, with the text that was run.
// The folder is treated and errors are thrown as by writeDump.
void writeModelDump(const attn::ModelTrace& trace, const QString& text, const QString& modelFolder, const QString& dir);
