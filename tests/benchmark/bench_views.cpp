// Paint times of the views and the time from a text edit to repainted views. Prints a
// table; not a test. Run: QT_QPA_PLATFORM=offscreen bench_views
#include "views/view_registry.h"
#include "views/view_widget.h"
#include "window/control_panel.h"
#include "window/main_window.h"

#include <attn/engine.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QPlainTextEdit>
#include <QStandardPaths>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <vector>

namespace {

QString words(int count, int variant)
{
    const QStringList pool = {u"the"_qs, u"cat"_qs, u"chased"_qs, u"a"_qs, u"mouse"_qs, u"under"_qs, u"old"_qs, u"table"_qs};
    QStringList out;
    for (int i = 0; i < count; ++i)
        out << pool[(i + variant) % pool.size()];
    return out.join(u' ');
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() / 2];
}

// The median of `repeats` paints of the view into a window-sized image.
double paintMs(ViewId id, const attn::Trace& trace, int repeats)
{
    ViewOptions options;
    options.look = Appearance::standard();
    options.look.text = u"benchmark"_qs;
    const QSize size(1200, 800);
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer timer;
        timer.start();
        QPainter painter(&image);
        viewKind(id).paint(painter, QRectF(QPointF(0, 0), QSizeF(size)), trace, options);
        painter.end();
        times.push_back(timer.nsecsElapsed() / 1e6);
    }
    return median(times);
}

// Median time from setting the text to the end of the current view's repaint.
double editToRepaintMs(MainWindow& window, ViewId id, int tokens, int repeats)
{
    window.showView(id);
    ViewWidget* view = window.view(id);
    std::vector<double> times;
    QElapsedTimer timer;
    bool waiting = false;
    const auto connection = QObject::connect(&window, &MainWindow::traceShown, [&] {
        if (!waiting)
            return;
        view->repaint(); // what the event loop would do next, done now to time it
        times.push_back(timer.nsecsElapsed() / 1e6);
        waiting = false;
    });
    for (int i = 0; i < repeats + 2; ++i) {
        waiting = true;
        timer.start();
        window.controls()->textEdit()->setPlainText(words(tokens, i % 7 + 1));
        while (waiting)
            QApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    QObject::disconnect(connection);
    times.erase(times.begin(), times.begin() + 2); // warm-up: first weights, first paint
    return median(times);
}

} // namespace

int main(int argc, char* argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("QT_FONT_DPI", "96");
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"attention-explorer-bench"_qs);
    QTextStream out(stdout);

    attn::Engine engine;
    out << "View paint times (1200 x 800 page, 12 heads, d_model 768, d_k 64; median)\n";
    out << QStringLiteral("%1 %2 %3\n").arg(u"n"_qs, 6).arg(u"Heads ms"_qs, 12).arg(u"Token links ms"_qs, 16);
    for (int n : {16, 64, 512, 2048}) {
        attn::Request request;
        request.text = words(n, 0).toStdString();
        request.config.d_model = 768;
        request.config.heads = 12;
        request.config.d_k = 64;
        const auto trace = engine.run(request);
        const int repeats = n >= 2048 ? 3 : (n >= 512 ? 7 : 21);
        out << QStringLiteral("%1 %2 %3\n")
                   .arg(n, 6)
                   .arg(paintMs(ViewId::Heads, *trace, repeats), 12, 'f', 2)
                   .arg(paintMs(ViewId::TokenLinks, *trace, repeats), 16, 'f', 2);
        out.flush();
    }

    Settings settings;
    settings.config.d_model = 768;
    settings.config.heads = 12;
    settings.config.d_k = 64;
    settings.text = words(64, 0);
    MainWindow window(settings);
    window.resize(1400, 900);
    window.show();
    out << "\nEdit to repainted view, n = 64, (d_model, h) = (768, 12), window 1400 x 900, median of 30\n";
    for (const ViewKind& kind : viewKinds())
        out << QStringLiteral("%1 %2 ms\n").arg(kind.name, -14).arg(editToRepaintMs(window, kind.id, 64, 30), 8, 'f', 2);
    return 0;
}
