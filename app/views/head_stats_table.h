// The head statistics' table: every column as wide as what it holds, and the pattern's plain
// words taking the spare width. Where the dock is too narrow for all of it, the words stay
// whole and the table scrolls sideways: a stretched column would shrink to "…" first, and
// those words are what students read.
#pragma once

#include <QTableView>

class HeadStatsTable : public QTableView {
    Q_OBJECT
public:
    explicit HeadStatsTable(QWidget* parent = nullptr);
    void setModel(QAbstractItemModel* model) override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitPattern();
};
