// The Model tab: the head search ("Find heads that attend to the previous token / ...")
// with its "best first" switch above the grid of every layer's heads.
#pragma once

#include "views/model_view_widget.h"

#include <QWidget>

class QCheckBox;
class QComboBox;

class ModelGridPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelGridPanel(QWidget* parent = nullptr);

    ModelViewWidget* grid() const { return m_grid; }
    QComboBox* searchBox() const { return m_search; }
    HeadSearch search() const;
    bool sortBySearch() const;

signals:
    void searchChanged(); // the search or its sorting changed: the window updates the focus

private:
    QComboBox* m_search;
    QCheckBox* m_sort;
    ModelViewWidget* m_grid;
};
