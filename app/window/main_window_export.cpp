// The main window's figures: export to PNG or SVG, and copy to the clipboard.
#include "main_window.h"

#include "export/export_options_dialog.h"
#include "model/model_export.h"
#include "views/model_view_widget.h"
#include "views/view_widget.h"

#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QStatusBar>

Figure MainWindow::figure(ViewId id, QSize size, double scale) const
{
    Figure figure;
    if (ViewWidget* widget = view(id)) {
        figure.paint = widget->kind().paint;
        figure.options = widget->options();
    }
    figure.options.look.interactive = false;
    figure.size = size;
    figure.scale = scale;
    return figure;
}

Figure MainWindow::shownFigure(const ViewWidget& widget, double scale) const
{
    Figure shown = figure(widget.viewId(), widget.size(), scale);
    shown.fit = PageFit::CropToContent;
    return shown;
}

namespace {

// A model view's figure as its widget shows it, for the export and the clipboard alike.
ModelFigure modelFigureOf(ModelViewId id, const ModelViewWidget& widget, double scale)
{
    ModelFigure figure;
    figure.view = id;
    figure.options = widget.options();
    figure.options.look.interactive = false;
    figure.focus = widget.modelFocus();
    figure.size = widget.size();
    figure.scale = scale;
    figure.fit = PageFit::CropToContent;
    return figure;
}

} // namespace

QString MainWindow::exportCurrentView(const QString& path, double scale, std::optional<QSize> page)
{
    if (const std::optional<ModelViewId> id = currentModelView()) {
        const ModelViewWidget* widget = modelViewWidget(*id);
        if (!widget->result())
            return u"There is nothing to export yet."_qs;
        ModelFigure figure = modelFigureOf(*id, *widget, scale);
        if (page) {
            figure.size = *page;
            figure.fit = PageFit::CentreContent;
        }
        return exportModelFigure(figure, *widget->result(), path);
    }
    ViewWidget* widget = currentView();
    if (!widget || !widget->trace())
        return u"There is nothing to export yet."_qs;
    if (page) { // a slide's, large enough for every view in any type (pageSizeProblem)
        Figure slide = figure(widget->viewId(), *page, scale);
        slide.fit = PageFit::CentreContent;
        return exportFigure(slide, *widget->trace(), path);
    }
    return exportFigure(shownFigure(*widget, scale), *widget->trace(), path);
}

QString MainWindow::exportFileName() const
{
    if (const std::optional<ModelViewId> id = currentModelView())
        return modelViewKind(*id).key;
    const ViewWidget* widget = currentView();
    if (!widget)
        return u"attention"_qs;
    if (widget->kind().id == ViewId::HeadDetail)
        return u"head-"_qs + QString::number(m_focus.head + 1);
    return widget->kind().key;
}

void MainWindow::exportDialog()
{
    // Named after the view, in the folder and format of the last export: a series of
    // figures for one paper goes to one place without retyping it. The default suffix goes
    // on a bare name before the dialog checks for a file to overwrite, and follows the type.
    const QString png = u"PNG image (*.png)"_qs, svg = u"SVG drawing (*.svg)"_qs;
    QFileDialog dialog(this, u"Export view"_qs, m_exportFolder);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setNameFilters({png, svg});
    dialog.selectNameFilter(m_exportFormat == u"svg" ? svg : png);
    dialog.setDefaultSuffix(m_exportFormat);
    dialog.selectFile(exportFileName() + u'.' + m_exportFormat);
    connect(&dialog, &QFileDialog::filterSelected, &dialog,
            [&dialog, svg](const QString& filter) { dialog.setDefaultSuffix(filter == svg ? u"svg"_qs : u"png"_qs); });
    QString path;
    for (;;) {
        if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
            return;
        path = dialog.selectedFiles().constFirst();
        const QString problem = exportPathProblem(path);
        if (problem.isEmpty())
            break;
        // Said before the scale is asked for, and the dialog comes back with the name to mend.
        QMessageBox::warning(this, u"Cannot export there"_qs, problem);
        dialog.selectFile(QFileInfo(path).fileName());
    }
    const QWidget* shown = currentModelView() ? static_cast<QWidget*>(modelViewWidget(*currentModelView()))
                                               : static_cast<QWidget*>(currentView());
    const bool asPng = formatForPath(path) == FigureFormat::Png;
    ExportOptions last;
    if (m_exportPage.isValid())
        last.page = m_exportPage;
    last.scale = m_exportScale;
    const std::optional<ExportOptions> options = askExportOptions(this, shown ? shown->size() : QSize(), asPng, last);
    if (!options)
        return;
    const QString error = exportCurrentView(path, options->scale, options->page);
    if (!error.isEmpty()) {
        showMessage(u"Export failed"_qs, error);
        return;
    }
    m_exportFolder = QFileInfo(path).absolutePath();
    m_exportFormat = asPng ? u"png"_qs : u"svg"_qs;
    m_exportPage = options->page.value_or(QSize());
    if (asPng) // an SVG has no pixel scale to remember
        m_exportScale = int(options->scale);
    m_rememberSoon.start();
    statusBar()->showMessage(u"Saved "_qs + QDir::toNativeSeparators(path), 5000);
}

// Pasted into slides, a copy is often shown larger than on screen: twice the pixels (its
// resolution says so, so it pastes at the same size), or the screen's own where more.
double MainWindow::copyScale() const
{
    return std::max(2.0, devicePixelRatioF());
}

void MainWindow::copyImage()
{
    QImage image;
    if (const std::optional<ModelViewId> id = currentModelView()) {
        const ModelViewWidget* widget = modelViewWidget(*id);
        if (!widget->result())
            return;
        image = renderModelImage(modelFigureOf(*id, *widget, copyScale()), *widget->result());
    } else {
        ViewWidget* widget = currentView();
        if (!widget || !widget->trace())
            return;
        image = renderImage(shownFigure(*widget, copyScale()), *widget->trace());
    }
    if (image.isNull()) { // the pixels could not be allocated
        statusBar()->showMessage(u"Could not copy the view: an image this large may not fit in memory; make the window smaller."_qs);
        return;
    }
    QApplication::clipboard()->setImage(image);
    statusBar()->showMessage(u"Copied the view as an image."_qs, 3000);
}
