// Everything a view's paint function needs besides the trace: how it looks, which
// weights it keeps, and what the user hovers, pins or zooms. Plain data, so an export is
// painted from exactly the state the screen shows. Grows with new views.
#pragma once

#include "colormap.h"

#include <attn/head_stats.h>

#include <QColor>
#include <QFont>
#include <QList>
#include <QPalette>
#include <QRect>
#include <QString>

#include <memory>
#include <vector>

// Colours and type; light or dark follows the palette it is made from.
struct Appearance {
    ColorMapId colorMap = ColorMapId::Viridis;
    // Weights coloured from 0 to 1, not from 0 to the largest weight shown: uniform
    // attention over many tokens then reads as faint, and figures compare across settings.
    bool unitColorScale = false;
    QColor background = Qt::white;
    QColor foreground = Qt::black;
    QColor muted = QColor(110, 110, 110);
    QColor accent = QColor(220, 40, 40); // hover and pin outlines
    QColor error = QColor(190, 20, 20);
    QFont font;        // pixel-sized, so screen, PNG and SVG agree
    bool title = true; // the title line: text, heads, dₖ
    QString text;      // the sentence, for the title line
    QString source;    // cross-attention's source text: the title line reads “text” ← “source”
    QString note;      // after the quoted texts in the title line (a model's layer)
    bool interactive = false; // on screen: hints on how to hover and click; never in files
    bool presentation = false; // classroom: large type, thick lines, high contrast
    qreal lineScale = 1.0;     // outline widths are multiplied by this (thick in presentation)

    bool isDark() const { return background.lightness() < 128; }
    static Appearance fromPalette(const QPalette& palette, const QFont& font);
    // Fixed family and size, for the command line and tests.
    static Appearance standard();
    // The same look for a projector: ~22 px type, thick outlines, black on white (or white
    // on black for a dark look), strong accent. Readable at 1280×720 from the back row.
    static Appearance forPresentation(Appearance look);
};

// Which weights the views show; applied the same way in every view.
struct WeightFilter {
    double keepShare = 1.0; // per query, keep the strongest links up to this share of its weight
    bool hideFirst = false; // drop the first token and renormalise the rest of each row

    bool isIdentity() const { return keepShare >= 1.0 && !hideFirst; }
};

// What the pointer and clicks point at. Token indices are those of the trace.
struct Focus {
    int head = 0;                  // the head of the detail view
    int hoverQuery = -1;           // -1: none
    int hoverKey = -1;             // -1: none (a whole row or token is hovered)
    QList<int> pinnedQueries;      // clicked rows or tokens
    int selectedKey = -1;          // the key clicked with the last pinned query; -1: none
    QList<int> hiddenHeads;        // token links: heads switched off
    QRect zoom;                    // head detail: keys x queries shown; null = all

    bool hasHover() const { return hoverQuery >= 0; }
    // The selection a session stores and the steps view follows when nothing is hovered.
    int selectedQuery() const { return pinnedQueries.isEmpty() ? -1 : pinnedQueries.last(); }
    bool operator==(const Focus&) const = default;
};

struct ViewOptions {
    Appearance look;
    WeightFilter filter;
    Focus focus;
    // The trace's head statistics where the window has them (its worker computes them with
    // the trace); null: a view computes what it needs. At thousands of tokens they take
    // seconds, too long to compute again at every hover.
    std::shared_ptr<const std::vector<attn::HeadStats>> headStats;
};
