// The head statistics of a trace as a table (one row per head), for a dock beside the
// views. Display text is formatted; SortRole holds the raw number, so a
// QSortFilterProxyModel with setSortRole(HeadStatsModel::SortRole) sorts by value.
#pragma once

#include <attn/head_stats.h>
#include <attn/trace.h>

#include <QAbstractTableModel>

#include <QMetaType>

#include <memory>
#include <vector>

using HeadStatsPtr = std::shared_ptr<const std::vector<attn::HeadStats>>;
Q_DECLARE_METATYPE(HeadStatsPtr)

// The statistics of every head of the trace; none without tokens on both sides (an empty
// text, or an empty source). At 20,000 tokens this takes a third of a second: the window
// asks for it on its worker thread, with the trace, and `stop` ends it for a newer edit.
HeadStatsPtr headStatsOf(const attn::Trace* trace, const std::atomic<bool>* stop = nullptr);

class HeadStatsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Head,
        Pattern,
        Entropy,           // nats
        NormalizedEntropy, // 0 .. 1
        Distance,          // tokens
        Self,
        Previous,
        First,
        MeanLargest,
        Largest,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit HeadStatsModel(QObject* parent = nullptr);

    // The table of these statistics (null: none); setTrace computes them from the trace.
    void setStats(HeadStatsPtr stats);
    void setTrace(const attn::Trace* trace) { setStats(headStatsOf(trace)); }
    const std::vector<attn::HeadStats>& stats() const { return *m_stats; }
    // The same, to be shared with the views that show the trace.
    HeadStatsPtr sharedStats() const { return m_stats; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    HeadStatsPtr m_stats = std::make_shared<std::vector<attn::HeadStats>>();
};
