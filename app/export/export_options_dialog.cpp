#include "export_options_dialog.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>

#include <algorithm>

std::optional<ExportOptions> askExportOptions(QWidget* parent, QSize shown, bool png, const ExportOptions& last)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(u"Export view"_qs);
    auto* form = new QFormLayout(&dialog);

    auto* page = new QComboBox;
    page->setObjectName(u"page"_qs);
    page->addItem(u"As shown (%1 × %2), cut to the figure"_qs.arg(shown.width()).arg(shown.height()), QSize());
    for (const QSize slide : slidePages)
        page->addItem(u"Slide, %1 × %2"_qs.arg(slide.width()).arg(slide.height()), slide);
    page->setCurrentIndex(std::max(0, page->findData(last.page.value_or(QSize()))));
    page->setToolTip(u"A slide's page lays the figure out anew at that size, as --size does"_qs);
    form->addRow(u"&Page:"_qs, page);

    QComboBox* scale = nullptr; // an SVG has none
    if (png) {
        scale = new QComboBox;
        scale->setObjectName(u"scale"_qs);
        for (int times = 1; times <= 4; ++times)
            scale->addItem(QString::number(times) + u'×', times);
        scale->setCurrentIndex(std::max(0, scale->findData(int(last.scale))));
        scale->setToolTip(u"Image pixels per page pixel: 2× stays sharp on a projector and in print"_qs);
        form->addRow(u"Pixel &scale:"_qs, scale);
    }

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);

    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    ExportOptions options;
    if (const QSize chosen = page->currentData().toSize(); chosen.isValid())
        options.page = chosen;
    options.scale = scale ? scale->currentData().toInt() : 1.0;
    return options;
}
