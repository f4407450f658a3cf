// The command line of attention-explorer, parsed into an engine request and what to do
// with it.
#pragma once

#include <attn/engine.h>

#include <QString>
#include <QStringList>

#include <optional>

struct CommandLine {
    attn::Request request;
    QString dumpDir;         // --dump DIR: write the trace as .npy files and exit
    QString exportPath;      // --export FILE: write the figure of `view` and exit
    QString view;            // heads | links | head:N
    double imageScale = 1.0; // pixel scale of a PNG export, 1 to 4
    bool title = true;       // the title line of an exported figure
};

struct ParsedCommandLine {
    std::optional<CommandLine> commandLine; // set when parsing succeeded
    QString error;                          // one line, when it did not
    bool exitNow = false;                   // --help or --version was answered
};

// Parses arguments (argv[0] first); loads --weights and --inputs files.
ParsedCommandLine parseCommandLine(const QStringList& arguments);
