// One change of the layer's settings, as Edit → Undo takes it back: the settings before and
// after. Steps of one setting in quick succession (the heads slider dragged from 4 to 8, a
// temperature typed digit by digit) are one change.
#pragma once

#include <attn/config.h>

#include <QUndoCommand>

#include <chrono>
#include <functional>

class SettingChange : public QUndoCommand {
public:
    // `apply` shows a config in the controls and recomputes. Pushed once the controls hold
    // `after` already: its first redo has nothing to do.
    SettingChange(const attn::Config& before, const attn::Config& after, std::function<void(const attn::Config&)> apply);

    int id() const override; // the one setting changed; -1 (never merged) when several
    bool mergeWith(const QUndoCommand* other) override;
    void undo() override;
    void redo() override;

private:
    attn::Config m_before, m_after;
    std::function<void(const attn::Config&)> m_apply;
    std::chrono::steady_clock::time_point m_last; // when the latest step merged in was made
    bool m_applied = true;
};

// What changed from `before` to `after`, as an Undo action names it: "heads 4 → 6",
// "causal mask on", "3 settings".
QString settingChangeText(const attn::Config& before, const attn::Config& after);
