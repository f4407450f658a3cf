// The window as the command line starts it. With --session the window opens on the
// session as saved, its starting point, and the command line's own options (--text,
// --heads, …) come on top as changes not saved yet; the session's model opens as the
// session named it, unless --model names another.
#pragma once

struct CommandLine;
class MainWindow;
struct Settings;

// What the window is built with: the remembered settings with the command line's texts,
// layer and backend on top, or a session's as saved.
Settings startingSettings(const CommandLine& cli, Settings remembered);

// Once built: the command line's options, the model and the view, and the starting point.
void startFromCommandLine(MainWindow& window, const CommandLine& cli);
