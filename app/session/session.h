// A session file: everything needed to put the window back as it was — the text(s), every
// layer setting, the backend, the view and what is selected in it, the colour map and the
// weight filter. JSON, versioned. Opening a file checks all of it and either returns a
// complete state or a message that names what is wrong; it never returns half a state.
#pragma once

#include "views/colormap.h"
#include "views/view_options.h"

#include <attn/backend_choice.h>
#include <attn/config.h>
#include <attn/engine.h>

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

// A session saved while a trained model was open: the model's folder and what was
// selected in it. The layer's own settings (config) stay the sandbox's, for going back.
struct SessionModel {
    QString folder;
    int layer = 0; // from 0; checked against the model when it opens
    int head = 0;  // from 0; likewise
    // The file named the folder relative to itself (a lesson folder moved as a whole): open()
    // makes it absolute to be opened, save() writes it relative to the file saved again.
    bool relativeToFile = false;

    bool operator==(const SessionModel&) const = default;
};

struct SessionState {
    QString text;                      // the target text: the queries
    std::optional<QString> sourceText; // set: cross-attention, keys and values from this text
    attn::Config config;
    attn::BackendKind backend = attn::BackendKind::Auto;
    QString view = QStringLiteral("heads"); // a view key, as --view names it
    int head = 0;   // selected head, from 0
    int query = -1; // selected query token; -1: none
    int key = -1;   // selected key token; -1: none
    QList<int> alsoPinned; // query tokens pinned beside the selected one (Ctrl+click in Token links)
    ColorMapId colorMap = ColorMapId::Viridis;
    bool unitColorScale = false; // "colorScale": "unit" (0 to 1) or "largest" (0 to the largest weight; the default)
    WeightFilter filter;
    std::optional<SessionModel> model; // set: the window opens this model (view may then be model, rollout, next)

    // Every pinned query, the selected one last (as Focus::pinnedQueries); none without a selection.
    QList<int> pinnedQueries() const;

    bool operator==(const SessionState& other) const;
};

// Either a state or the reason there is none.
struct SessionResult {
    std::optional<SessionState> state;
    QString error; // for the person who chose the file: what is wrong and what to do
    // Members of the file this program does not read ("weights", "config.inputs"), said so
    // that a hand-written one is not taken for applied; empty when every member is read.
    QStringList ignored;

    bool ok() const { return state.has_value(); }
};

namespace session {

inline constexpr int formatVersion = 1;
inline constexpr char16_t formatName[] = u"attention-explorer-session";

QByteArray toJson(const SessionState& state);
// What a file's members that were not read mean for the one who wrote them; empty for none.
QString ignoredMembersText(const QStringList& ignored);
// knownViews: the view keys this program has; empty accepts any non-empty key.
SessionResult fromJson(const QByteArray& json, const QStringList& knownViews = {});

// Writes atomically (a failed save leaves the old file); on failure *error says why. A
// model folder named relative to the file is written relative to `path`.
bool save(const QString& path, const SessionState& state, QString* error);
SessionResult open(const QString& path, const QStringList& knownViews = {});

// The causal mask orders the tokens of one text: with a source text that has tokens
// (cross-attention) the setting is kept, as the window's greyed box keeps it, but not
// applied, so that the engine gets no mask it would refuse.
void applyCausalWithinOneText(attn::Request& request);

} // namespace session
