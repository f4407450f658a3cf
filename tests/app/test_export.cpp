// Figure export from the window and from the command line.
#include "gui_test_main.h"
#include "image_checks.h"
#include "run_explorer.h"
#include "../files_cut_short.h"

#include "export/export_options_dialog.h"
#include "export/page_size.h"
#include "session/session.h"
#include "views/heads_view.h"
#include "views/steps_view.h"
#include "views/view_widget.h"
#include "window/main_window.h"
#include "window/theme.h"

#include <attn/npy.h>

#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QFileDevice>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTimer>
#include <QXmlStreamReader>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

const QString sentence = u"The cat that chased the mouse under the old wooden table was tired."_qs;

// Pixels of another colour than the page's background (its top-left corner).
qint64 paintedPixels(const QImage& image)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    const QRgb background = rgb.pixel(0, 0);
    qint64 painted = 0;
    for (int y = 0; y < rgb.height(); ++y)
        for (int x = 0; x < rgb.width(); ++x)
            painted += rgb.pixel(x, y) != background ? 1 : 0;
    return painted;
}

// The heads figure the command line should export for this request, titled `title`, in
// the format PNG files load as.
QImage headsFigure(const attn::Request& request, const QString& title, bool unitColorScale = false,
                   ColorMapId colorMap = ColorMapId::Viridis)
{
    attn::Engine engine;
    const auto trace = engine.run(request);
    Figure figure;
    figure.paint = &paintHeads;
    figure.options.look = Appearance::standard();
    figure.options.look.text = title;
    figure.options.look.unitColorScale = unitColorScale;
    figure.options.look.colorMap = colorMap;
    figure.size = exportPageSize(ViewId::Heads, *trace, figure.options);
    return renderImage(figure, *trace).convertToFormat(QImage::Format_ARGB32);
}

// Inputs X of rows × width, a ramp of values in [0, 1).
attn::Tensor rampInputs(std::size_t rows, std::size_t width)
{
    attn::Tensor x({rows, width});
    for (std::size_t i = 0; i < x.data.size(); ++i)
        x.data[i] = float(i % 11) / 11.0f;
    return x;
}

// The texts of an SVG figure, in the order drawn; empty if the file cannot be read.
QStringList svgTexts(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QXmlStreamReader xml(&file);
    QStringList texts;
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == u"text")
            texts << xml.readElementText();
    return texts;
}

} // namespace

class TestExport : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;

    // `--session NAME.json --export figure`, the session saved first.
    Run exportSession(const SessionState& state, const QString& name, const QString& figure) const
    {
        const QString path = m_dir.filePath(name + u".json"_qs);
        QString error;
        if (!session::save(path, state, &error))
            return {-3, error};
        return runExplorer({u"--session"_qs, path, u"--export"_qs, figure});
    }

    // A data row per view: the column "view", a ViewId.
    static void addEveryView()
    {
        QTest::addColumn<int>("view");
        for (const ViewKind& kind : viewKinds())
            QTest::newRow(qPrintable(kind.key)) << int(kind.id);
    }

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        Settings settings;
        settings.text = sentence;
        settings.config.heads = 8;
        m_window = std::make_unique<MainWindow>(settings);
        m_window->resize(1100, 750);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QVERIFY(QTest::qWaitFor([this] { return m_window->isIdle() && m_window->trace(); }, 20000));
    }
    void cleanup() { m_window.reset(); }

    void pngAtScaleTwoHasTwiceThePixels_data() { addEveryView(); }
    void pngAtScaleTwoHasTwiceThePixels()
    {
        QFETCH(int, view);
        m_window->showView(ViewId(view));
        const QString path = m_dir.filePath(u"view.png"_qs);
        QCOMPARE(m_window->exportCurrentView(path, 2.0), QString());
        QImage image(path);
        QVERIFY(!image.isNull());
        QVERIFY2(distinctColours(image) > 20, "the export looks blank");
        // The view as the window shows it at twice the pixels, cut to what is painted:
        // no painted pixel is lost, and the bands of background are gone.
        const QImage whole = renderImage(m_window->figure(ViewId(view), m_window->currentView()->size(), 2.0),
                                         *m_window->trace());
        QCOMPARE(whole.size(), m_window->currentView()->size() * 2);
        QVERIFY(image.width() <= whole.width() && image.height() <= whole.height());
        QCOMPARE(paintedPixels(image), paintedPixels(whole));
        // Tagged 192 dots per inch: placed in a document, it has the size of the 1× image.
        QCOMPARE(image.dotsPerMeterX(), qRound(2 * 96 / 0.0254));
        QCOMPARE(image.dotsPerMeterY(), qRound(2 * 96 / 0.0254));
    }

    // The window's export offers a slide's page: the figure laid out anew at that size, as
    // --size does, whatever shape the window has (it was the view's shape, always).
    void aSlidePageExportsTheFigureLaidOutAtThatSize_data() { addEveryView(); }
    void aSlidePageExportsTheFigureLaidOutAtThatSize()
    {
        QFETCH(int, view);
        m_window->showView(ViewId(view));
        for (const QSize slide : slidePages) {
            // Each slide is large enough for each view, in either type.
            for (const bool presentation : {false, true}) {
                Appearance look = Appearance::standard();
                if (presentation)
                    look = Appearance::forPresentation(look);
                QCOMPARE(pageSizeProblem(m_window->currentView()->kind().key, slide, look), QString());
            }
            const QString path = m_dir.filePath(u"slide.png"_qs);
            QCOMPARE(m_window->exportCurrentView(path, 2.0, slide), QString());
            const QImage image(path);
            QCOMPARE(image.size(), slide * 2);
            Figure expected = m_window->figure(ViewId(view), slide, 2.0);
            expected.fit = PageFit::CentreContent;
            QVERIFY(image == renderImage(expected, *m_window->trace()).convertToFormat(image.format()));
        }
    }

    // On a slide the figure stands in the middle: a square heatmap on a wide page sat in its
    // left half, with the rest blank.
    void aSlidesFigureStandsInTheMiddleOfThePage()
    {
        m_window->showView(ViewId::HeadDetail);
        const QString path = m_dir.filePath(u"middle.png"_qs);
        QCOMPARE(m_window->exportCurrentView(path, 1.0, QSize(1920, 1080)), QString());
        const QImage image = QImage(path).convertToFormat(QImage::Format_RGB32);
        const QRgb background = image.pixel(0, 0);
        int left = image.width(), right = -1;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                if (image.pixel(x, y) != background) {
                    left = std::min(left, x);
                    right = std::max(right, x);
                }
        const int leftBand = left, rightBand = image.width() - 1 - right;
        QVERIFY2(leftBand > 100, qPrintable(QString::number(leftBand) + u" px left of the figure"_qs)); // moved at all
        QVERIFY2(std::abs(leftBand - rightBand) <= 1,
                 qPrintable(QString::number(leftBand) + u" px left, "_qs + QString::number(rightBand) + u" px right"_qs));
    }

    // A slide's SVG is its page's colour to the edges: the view's own background moved with
    // the figure, and a dark slide had a see-through band where it had been.
    void aCentredSvgSlideIsItsPagesColourToTheEdges()
    {
        m_window->showView(ViewId::HeadDetail);
        m_window->setTheme(Theme::Dark);
        QTRY_VERIFY(m_window->currentView()->options().look.isDark());
        const QString path = m_dir.filePath(u"dark.svg"_qs);
        const QString error = m_window->exportCurrentView(path, 1.0, QSize(1280, 720));
        m_window->setTheme(Theme::System);
        QCOMPARE(error, QString());
        QSvgRenderer svg(path);
        QVERIFY(svg.isValid());
        QImage image(1280, 720, QImage::Format_ARGB32);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        svg.render(&painter);
        painter.end();
        const QColor corner = image.pixelColor(image.width() - 2, image.height() / 2);
        QCOMPARE(corner.alpha(), 255);
        for (const QPoint edge : {QPoint(1, 1), QPoint(1, 360), QPoint(1, 718), QPoint(640, 718)})
            QVERIFY2(image.pixelColor(edge) == corner,
                     qPrintable(u"("_qs + QString::number(edge.x()) + u", "_qs + QString::number(edge.y()) + u") is "_qs
                                + image.pixelColor(edge).name(QColor::HexArgb)));
        QVERIFY2(corner.lightness() < 80, qPrintable(corner.name())); // the dark page's colour
    }

    // The options asked after the file name: the page, and for a PNG the pixel scale.
    void theExportOptionsOfferTheSlidesAndThePixelScale()
    {
        // Answered from the event loop; anything amiss rejects the dialog (a failed check in
        // here would leave it open, and the test waiting).
        const auto answer = [](int pageIndex, int scaleIndex) {
            QTimer::singleShot(0, [=] {
                auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget());
                if (!dialog)
                    return;
                auto* page = dialog->findChild<QComboBox*>(u"page"_qs);
                auto* scale = dialog->findChild<QComboBox*>(u"scale"_qs);
                if (!page || page->count() != 1 + int(std::size(slidePages)) || (scaleIndex >= 0) != (scale != nullptr))
                    return dialog->reject();
                page->setCurrentIndex(pageIndex);
                if (scale)
                    scale->setCurrentIndex(scaleIndex);
                dialog->accept();
            });
        };
        answer(2, 2);
        std::optional<ExportOptions> png = askExportOptions(m_window.get(), QSize(900, 600), true);
        QVERIFY(png);
        QCOMPARE(png->page, std::optional<QSize>(QSize(1920, 1080)));
        QCOMPARE(png->scale, 3.0);
        answer(0, -1);
        std::optional<ExportOptions> svg = askExportOptions(m_window.get(), QSize(900, 600), false);
        QVERIFY(svg);
        QCOMPARE(svg->page, std::optional<QSize>()); // as shown
        QCOMPARE(svg->scale, 1.0);
    }

    // A series of slides is exported alike: the dialog opens on the last choices (it went
    // back to "as shown" and 2× every time).
    void theExportOptionsOpenOnTheLastChoices()
    {
        QTimer::singleShot(0, [] {
            if (auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget()))
                dialog->accept(); // as it opened
        });
        const ExportOptions last{QSize(1920, 1080), 3.0};
        const std::optional<ExportOptions> again = askExportOptions(m_window.get(), QSize(900, 600), true, last);
        QVERIFY(again);
        QCOMPARE(again->page, last.page);
        QCOMPARE(again->scale, last.scale);
    }

    // A square matrix on a wide window: the exported figure leaves the empty side out.
    void aWindowsExportLeavesOutTheEmptyBands()
    {
        m_window->resize(1800, 700);
        m_window->showView(ViewId::HeadDetail);
        QVERIFY(QTest::qWaitFor([this] { return m_window->currentView()->width() > 1400; }, 5000));
        const QString path = m_dir.filePath(u"wide.png"_qs);
        QCOMPARE(m_window->exportCurrentView(path, 1.0), QString());
        const QImage image(path);
        QVERIFY2(image.width() < m_window->currentView()->width() * 3 / 4,
                 qPrintable(QString::number(image.width()) + u" of "_qs + QString::number(m_window->currentView()->width())));
        QCOMPARE(paintedPixels(image), paintedPixels(renderImage(m_window->figure(ViewId::HeadDetail, m_window->currentView()->size()),
                                                                 *m_window->trace())));
    }

    // The links of a short sentence on a tall window: the figure ends below the rows, with
    // the footnote under them, not at the window's foot past a band of nothing.
    void aWindowsLinksFigureHasNoBandAboveItsFootnote()
    {
        m_window->resize(1200, 1000);
        m_window->showView(ViewId::TokenLinks);
        QVERIFY(QTest::qWaitFor([this] { return m_window->currentView()->height() > 600; }, 5000));
        const QString path = m_dir.filePath(u"links.png"_qs);
        QCOMPARE(m_window->exportCurrentView(path, 1.0), QString());
        const QImage image = QImage(path).convertToFormat(QImage::Format_RGB32);
        const QRgb background = image.pixel(0, 0);
        int blank = 0, longest = 0; // rows of background alone, in a run
        for (int y = 0; y < image.height(); ++y) {
            const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
            blank = std::all_of(line, line + image.width(), [background](QRgb c) { return c == background; }) ? blank + 1 : 0;
            longest = std::max(longest, blank);
        }
        QVERIFY2(longest < 40, qPrintable(QString::number(longest) + u" blank rows in a figure of "_qs
                                           + QString::number(image.height())));
    }

    void svgIsValidXmlWithTheTokens_data()
    {
        pngAtScaleTwoHasTwiceThePixels_data();
    }
    void svgIsValidXmlWithTheTokens()
    {
        QFETCH(int, view);
        m_window->showView(ViewId(view));
        const QString path = m_dir.filePath(u"view.svg"_qs);
        QCOMPARE(m_window->exportCurrentView(path, 1.0), QString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray svg = file.readAll();
        QXmlStreamReader xml(svg);
        bool sawSvgRoot = false;
        int texts = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            sawSvgRoot = sawSvgRoot || xml.name() == u"svg";
            // A heatmap's cells are drawn with several image pixels per page pixel, so that a
            // viewer that smooths images as it zooms in blurs their edges little.
            if (xml.name() == u"image" && ViewId(view) != ViewId::TokenLinks && xml.attributes().value(u"width"_qs).toDouble() > 100) {
                const QByteArray data = xml.attributes().value(u"xlink:href"_qs).toLatin1();
                const QImage image = QImage::fromData(QByteArray::fromBase64(data.mid(data.indexOf(',') + 1)), "PNG");
                QVERIFY2(image.width() >= 2 * xml.attributes().value(u"width"_qs).toDouble(),
                         qPrintable(QString::number(image.width())));
            }
            // Every text falls back to a sans serif where its font is missing.
            if (xml.name() == u"text" && ++texts)
                QVERIFY2(xml.attributes().value(u"font-family"_qs).endsWith(u", sans-serif"_qs),
                         qPrintable(xml.attributes().value(u"font-family"_qs).toString()));
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(sawSvgRoot);
        QVERIFY(texts > 5);
        for (const char* token : {"chased", "mouse", "tired"})
            QVERIFY2(svg.contains(token), token);
    }

    void unwritablePlacesReportAnError_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("missing folder") << m_dir.filePath(u"no/such/folder/view.png"_qs);
        QTest::newRow("system folder") << u"/proc/attention-explorer-test.png"_qs;
        QTest::newRow("full disk") << u"/dev/full"_qs; // a device, written in place
    }
    void unwritablePlacesReportAnError()
    {
        QFETCH(QString, path);
        if (path.startsWith(u"/dev/"_qs) && !QFileInfo(path).exists())
            QSKIP("no /dev/full here");
        const QString error = m_window->exportCurrentView(path, 1.0);
        QVERIFY(!error.isEmpty());
        QVERIFY2(error.contains(path), qPrintable(error));
        if (path.startsWith(u"/dev/"_qs))
            QVERIFY(!QFileInfo(path).isFile()); // the device is still a device
    }

    // A figure cut short (each file cut at 4 KiB, as a full disk cuts it) says the system's
    // reason, not "Unknown error", and the earlier figure of that name stays as it was.
    void aFigureCutShortSaysWhyAndKeepsTheEarlierOne()
    {
        const QString path = m_dir.filePath(u"cut.png"_qs);
        QCOMPARE(m_window->exportCurrentView(path, 1.0), QString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray earlier = file.readAll();
        file.close();
        QVERIFY(earlier.size() > 4096);

        const QString error = withFilesCutAt(4096, [&] { return m_window->exportCurrentView(path, 2.0); });

        QCOMPARE(error, u"Could not write all of "_qs + path + u": File too large; any earlier file of that name is unchanged."_qs);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), earlier);
    }

    void readOnlyFolderReportsAnError()
    {
        QTemporaryDir locked;
        QFile::setPermissions(locked.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner);
        if (QFileInfo(locked.path()).isWritable())
            QSKIP("running as a user who may write anywhere (root)");
        const QString path = locked.filePath(u"view.png"_qs);
        const QString error = m_window->exportCurrentView(path, 1.0);
        QFile::setPermissions(locked.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QVERIFY2(error.contains(path), qPrintable(error)); // this folder's problem, not another
        QVERIFY(!QFileInfo::exists(path));
    }

    void commandLineWritesEachView_data()
    {
        QTest::addColumn<QString>("view");
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("scale");
        QTest::newRow("heads png") << u"heads"_qs << u"heads.png"_qs << 1;
        QTest::newRow("heads png 2x") << u"heads"_qs << u"heads2.png"_qs << 2;
        QTest::newRow("links png") << u"links"_qs << u"links.png"_qs << 1;
        QTest::newRow("head:3 png") << u"head:3"_qs << u"head3.png"_qs << 1;
        QTest::newRow("heads svg") << u"heads"_qs << u"heads.svg"_qs << 1;
        QTest::newRow("links svg") << u"links"_qs << u"links.svg"_qs << 1;
        QTest::newRow("head:8 svg") << u"head:8"_qs << u"head8.svg"_qs << 1;
        QTest::newRow("steps png") << u"steps"_qs << u"steps.png"_qs << 1;
        QTest::newRow("steps svg") << u"steps"_qs << u"steps.svg"_qs << 1;
    }
    void commandLineWritesEachView()
    {
        QFETCH(QString, view);
        QFETCH(QString, file);
        QFETCH(int, scale);
        const QString path = m_dir.filePath(file);
        QStringList arguments = {u"--text"_qs, sentence, u"--heads"_qs, u"8"_qs, u"--dk"_qs, u"16"_qs,
                                 u"--export"_qs, path, u"--view"_qs, view};
        if (scale != 1)
            arguments << u"--scale"_qs << QString::number(scale);
        const Run run = runExplorer(arguments);
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        QVERIFY(QFileInfo::exists(path));
        if (file.endsWith(u".png"_qs)) {
            const QImage image(path);
            QVERIFY(!image.isNull());
            if (view == u"steps")
                QCOMPARE(image.size(), stepsExportPageSize() * scale); // a 720p slide
            QVERIFY2(distinctColours(image) > 20, "the export looks blank");
            const QImage single(m_dir.filePath(u"heads.png"_qs));
            if (scale == 2 && !single.isNull())
                QCOMPARE(image.size(), single.size() * 2);
        } else {
            QFile svg(path);
            QVERIFY(svg.open(QIODevice::ReadOnly));
            QXmlStreamReader xml(svg.readAll());
            while (!xml.atEnd())
                xml.readNext();
            QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        }
    }

    void commandLineTitleLineCanBeLeftOut()
    {
        const QString with = m_dir.filePath(u"title.svg"_qs), without = m_dir.filePath(u"notitle.svg"_qs);
        QCOMPARE(runExplorer({u"--text"_qs, u"zebra crossing"_qs, u"--export"_qs, with}).exitCode, 0);
        QCOMPARE(runExplorer({u"--text"_qs, u"zebra crossing"_qs, u"--export"_qs, without, u"--no-title"_qs}).exitCode, 0);
        QFile a(with), b(without);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QVERIFY(a.readAll().contains("heads"));
        QVERIFY(!b.readAll().contains("heads  "));
    }

    // Inputs given without a text are named by their file in the title, not by “”.
    void aFigureOfGivenInputsIsTitledByTheirFile()
    {
        const attn::Tensor x = rampInputs(5, 64);
        const QString inputs = m_dir.filePath(u"my-inputs.npy"_qs);
        attn::writeNpy(inputs.toStdString(), x);
        const QString path = m_dir.filePath(u"inputs.png"_qs);
        const Run run = runExplorer({u"--inputs"_qs, inputs, u"--export"_qs, path, u"--view"_qs, u"heads"_qs});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));

        attn::Request request;
        request.inputs = std::make_shared<const attn::Tensor>(x);
        QVERIFY(QImage(path) == headsFigure(request, u"my-inputs.npy"_qs));
    }

    // Two inputs named by one text once gave figures of the same title: the file is named too.
    void aFigureOfGivenInputsNamedByATextNamesTheirFileToo()
    {
        const QString inputs = m_dir.filePath(u"run-7.npy"_qs);
        attn::writeNpy(inputs.toStdString(), rampInputs(3, 8));
        const QString path = m_dir.filePath(u"named.svg"_qs);
        const Run run = runExplorer({u"--inputs"_qs, inputs, u"--text"_qs, u"I love you"_qs, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        const QString title = svgTexts(path).join(QString());
        QVERIFY2(title.contains(u"I love you"_qs) && title.contains(u"inputs run-7.npy"_qs), qPrintable(title));
    }

    // Thousands of tokens attending evenly passed every link: 5000 tokens and 8 heads drew
    // 200 million lines, minutes and gigabytes for a page of solid colour. The strongest
    // 100,000 are drawn (an SVG holds a line each), and the footnote says so; fewer are all
    // drawn, as before.
    void tokenLinksDrawTheStrongestHundredThousandAndSaySo_data()
    {
        QTest::addColumn<int>("words");
        QTest::addColumn<int>("lines");
        QTest::newRow("300 × 300 links") << 300 << 90'000;
        QTest::newRow("400 × 400 links, cut once at the end") << 400 << 100'000;
        QTest::newRow("500 × 500 links, cut while gathered") << 500 << 100'000;
    }
    void tokenLinksDrawTheStrongestHundredThousandAndSaySo()
    {
        QFETCH(int, words);
        QFETCH(int, lines);
        QStringList text;
        for (int i = 0; i < words; ++i)
            text << u"w"_qs + QString::number(i);
        const QString path = m_dir.filePath(u"links.svg"_qs);
        // The highest temperature: every weight near 1/n, each link above the faintest drawn.
        const Run run = runExplorer({u"--text"_qs, text.join(u' '), u"--heads"_qs, u"1"_qs, u"--temperature"_qs, u"1000"_qs,
                                     u"--view"_qs, u"links"_qs, u"--size"_qs, u"1000x900"_qs, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        QFile svg(path);
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QCOMPARE(int(svg.readAll().count("<polyline")), lines);
        const QString notes = svgTexts(path).join(u' ');
        const bool capped = words * words > 100'000;
        QCOMPARE(notes.contains(u"Only the strongest 100,000 links drawn"_qs), capped);
        QCOMPARE(notes.contains(u"too faint to draw"_qs), !capped);
    }

    // A legend of many heads on a small page left the links' rows a pixel apart (14 tokens
    // read as one pair) or no room at all, and the export still said it worked.
    void tokenLinksWithoutRoomForTheirRowsAreRefused()
    {
        const QString path = m_dir.filePath(u"cramped.png"_qs);
        const Run run = runExplorer({u"--text"_qs, sentence, u"--heads"_qs, u"8"_qs, u"--dk"_qs, u"8"_qs, u"--view"_qs,
                                     u"links"_qs, u"--size"_qs, u"310x190"_qs, u"--export"_qs, path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errors.contains(u"no room for the rows of the token links"_qs) && run.errors.contains(u"give a larger --size"_qs),
                 qPrintable(run.errors));
        QVERIFY(!QFileInfo::exists(path));
        const Run roomy = runExplorer({u"--text"_qs, sentence, u"--heads"_qs, u"8"_qs, u"--dk"_qs, u"8"_qs, u"--view"_qs,
                                       u"links"_qs, u"--size"_qs, u"640x480"_qs, u"--export"_qs, path});
        QVERIFY2(roomy.exitCode == 0, qPrintable(roomy.errors));
    }

    // Links gathered early, while the strongest weight is small, may be cut to 100,000 and
    // then all fall under the faintest drawn once stronger rows come: nothing was left out
    // for the cap, and the footnote once said otherwise.
    void tokenLinksSayTheCapOnlyWhereItLeftLinksOut()
    {
        attn::Tensor x({600, 64}); // 400 rows of zeros attend evenly; 200 rows attend sharply
        for (std::size_t row = 400; row < 600; ++row)
            for (std::size_t column = 0; column < 64; ++column)
                x.at(row, column) = float(3.0 * std::sin(double(row * 64 + column) * 0.7));
        const QString inputs = m_dir.filePath(u"late-sharp.npy"_qs);
        attn::writeNpy(inputs.toStdString(), x);
        const QString path = m_dir.filePath(u"late.svg"_qs);
        const Run run = runExplorer({u"--inputs"_qs, inputs, u"--heads"_qs, u"1"_qs, u"--view"_qs, u"links"_qs,
                                     u"--size"_qs, u"1000x900"_qs, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        QFile svg(path);
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().count("<polyline") < 100'000);
        const QString notes = svgTexts(path).join(u' ');
        QVERIFY2(!notes.contains(u"Only the strongest"_qs) && notes.contains(u"too faint to draw"_qs), qPrintable(notes));
    }

    // Only a name that asks for another format is refused: a dot in a plain name is none.
    void aDottedNameWithoutAFormatGetsAPng()
    {
        const QString path = m_dir.filePath(u"figure-v1.2"_qs);
        const Run run = runExplorer({u"--text"_qs, u"le chat"_qs, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.read(8), QByteArray("\x89PNG\r\n\x1a\n", 8));
    }

    // Only .png and .svg are written; any other extension is refused, naming it, whichever
    // image plugins are installed (.gif and .webp got PNG bytes where none read them).
    void namesOfOtherFormatsAreRefused_data()
    {
        QTest::addColumn<QString>("name");
        for (const char* name : {"fig.gif", "fig.webp", "fig.tif", "fig.tiff", "fig.npy", "fig.json", "fig.html", "FIG.GIF"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }
    void namesOfOtherFormatsAreRefused()
    {
        QFETCH(QString, name);
        const QString path = m_dir.filePath(name);
        const Run run = runExplorer({u"--text"_qs, u"le chat"_qs, u"--export"_qs, path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errors.contains(u"Cannot write "_qs + path + u": figures are saved as PNG or SVG, not as ."_qs
                                     + QFileInfo(name).suffix() + u"; end the file name with .png or .svg."_qs),
                 qPrintable(run.errors));
        QVERIFY(!QFileInfo::exists(path));
    }

    void pngAndSvgAreWrittenInAnyCase()
    {
        for (const auto& [name, mark] : {std::pair{u"FIG.PNG"_qs, QByteArray("\x89PNG")}, {u"Fig.Svg"_qs, QByteArray("<svg")}}) {
            const QString path = m_dir.filePath(name);
            const Run run = runExplorer({u"--text"_qs, u"le chat"_qs, u"--export"_qs, path});
            QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(file.readAll().contains(mark), qPrintable(name));
        }
    }

    // A pipe that nothing reads, or a folder, is refused before it is opened (a pipe with no
    // reader kept the export waiting for ever); each refusal says what to do instead.
    void placesThatAreNoFileAreRefusedSayingWhatToDo()
    {
        const QString pipe = m_dir.filePath(u"pipe.png"_qs), folder = m_dir.filePath(u"folder.png"_qs);
        QCOMPARE(::mkfifo(QFile::encodeName(pipe).constData(), 0600), 0);
        QVERIFY(QDir().mkdir(folder));
        const std::pair<QString, QString> cases[] = {
            {pipe, u"Cannot write "_qs + pipe + u": it is a pipe that nothing reads; start its reader first, or give the "
                                               u"name of a file."_qs},
            {folder, u"Cannot write "_qs + folder + u": it is a folder; give the name of a file in it, as in "_qs + folder
                         + u"/figure.png."_qs},
            {u"/proc/attention-explorer-test.png"_qs, u"; save it in a folder where you may create files."_qs},
        };
        for (const auto& [path, message] : cases) {
            const Run run = runExplorer({u"--text"_qs, u"le chat"_qs, u"--export"_qs, path}); // -1 after a minute
            QVERIFY2(run.exitCode > 0, qPrintable(path + u": "_qs + run.errors));
            QVERIFY2(run.errors.contains(message), qPrintable(run.errors));
        }
        QVERIFY(!QFileInfo(pipe).isFile() && QFileInfo(folder).isDir());
    }

    // A pipe that something reads (a shell's /dev/stdout into another program) gets the
    // figure, written in place.
    void aPipeWithAReaderGetsTheFigure()
    {
        const QString pipe = m_dir.filePath(u"read.png"_qs);
        QCOMPARE(::mkfifo(QFile::encodeName(pipe).constData(), 0600), 0);
        const int fd = ::open(QFile::encodeName(pipe).constData(), O_RDONLY | O_NONBLOCK); // a reader, at once
        QVERIFY(fd >= 0);
        QByteArray received;
        std::atomic<bool> finished{false};
        std::thread reader([&] {
            std::array<char, 65536> buffer;
            // Before the writer comes, and once it has gone and the pipe is drained, a read
            // gives 0: the end, once something came or the writer's process has ended.
            for (;;) {
                const ssize_t n = ::read(fd, buffer.data(), buffer.size());
                if (n > 0)
                    received.append(buffer.data(), n);
                else if (n == 0 && (finished || !received.isEmpty()))
                    break;
                else
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        });
        const Run run = runExplorer({u"--text"_qs, u"le chat"_qs, u"--export"_qs, pipe});
        finished = true;
        reader.join();
        ::close(fd);
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        QVERIFY(received.startsWith("\x89PNG\r\n\x1a\n"));
        QVERIFY(!QImage::fromData(received, "PNG").isNull());
    }

    // A figure and a dump at one path are refused before either is written (the dump made
    // its folder there, and the figure then failed on it).
    void aFigureAndADumpAtOnePathAreRefused()
    {
        const QString path = m_dir.filePath(u"both.png"_qs);
        for (const QString& dump : {path, QString(path + u'/')}) {
            const Run run = runExplorer({u"--text"_qs, u"le chat"_qs, u"--export"_qs, path, u"--dump"_qs, dump});
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.errors.contains(u"--export "_qs + path + u" and --dump "_qs + dump + u" name the same place"_qs),
                     qPrintable(run.errors));
            QVERIFY(!QFileInfo::exists(path));
        }
    }

    // A session's model view without its model was blamed on a --view nobody typed.
    void aSessionsModelViewWithoutAModelIsSaidToBeTheSessions()
    {
        SessionState state;
        state.text = u"I love you"_qs;
        state.view = u"model"_qs;
        const QString figure = m_dir.filePath(u"no-model.png"_qs);
        const Run run = exportSession(state, u"no-model"_qs, figure);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errors.contains(u"the session's view “model” shows a trained model, and the session has none"_qs)
                     && !run.errors.contains(u"--view model"_qs),
                 qPrintable(run.errors));
        QVERIFY(!QFileInfo::exists(figure));
    }

    // A session saved with the causal box ticked and a source text (the window greys the
    // box and keeps it) runs as the window shows it: cross-attention, no mask.
    void aSessionsCausalSettingWithASourceIsKeptButNotApplied()
    {
        SessionState state;
        state.text = u"le chat dort"_qs;
        state.sourceText = u"the cat is sleeping"_qs;
        state.config.causal = true;
        state.view = u"heads"_qs;
        const QString figure = m_dir.filePath(u"causal-cross.png"_qs);
        const Run run = exportSession(state, u"causal-cross"_qs, figure);
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        attn::Request request;
        request.text = "le chat dort";
        request.sourceText = "the cat is sleeping";
        Figure expected;
        attn::Engine engine;
        const auto trace = engine.run(request);
        QVERIFY(trace->isCross() && !trace->config.causal);
        expected.paint = &paintHeads;
        expected.options.look = Appearance::standard();
        expected.options.look.text = u"le chat dort"_qs;
        expected.options.look.source = u"the cat is sleeping"_qs;
        expected.size = exportPageSize(ViewId::Heads, *trace, expected.options);
        QVERIFY(QImage(figure) == renderImage(expected, *trace).convertToFormat(QImage::Format_ARGB32));
    }

    void unitScaleColoursTheFigureFromZeroToOne()
    {
        const QString path = m_dir.filePath(u"unit.png"_qs);
        const Run run = runExplorer({u"--text"_qs, u"le chat dort"_qs, u"--unit-scale"_qs, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        attn::Request request;
        request.text = "le chat dort";
        QVERIFY(QImage(path) == headsFigure(request, u"le chat dort"_qs, true));
        QVERIFY(QImage(path) != headsFigure(request, u"le chat dort"_qs, false));
    }

    // --colors chooses the colour map as the window's Colours box does, by the same names,
    // and wins over a session's.
    void colorsChooseTheFiguresColourMap()
    {
        attn::Request request;
        request.text = "le chat dort";
        const QString greys = m_dir.filePath(u"greys.png"_qs);
        const Run run = runExplorer({u"--text"_qs, u"le chat dort"_qs, u"--colors"_qs, u"greys"_qs, u"--export"_qs, greys});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        QVERIFY(QImage(greys) == headsFigure(request, u"le chat dort"_qs, false, ColorMapId::Greys));
        QVERIFY(QImage(greys) != headsFigure(request, u"le chat dort"_qs));

        SessionState state;
        state.text = u"le chat dort"_qs;
        state.colorMap = ColorMapId::Cividis;
        const QString session = m_dir.filePath(u"cividis.json"_qs);
        QString error;
        QVERIFY2(session::save(session, state, &error), qPrintable(error));
        const QString overridden = m_dir.filePath(u"session-greys.png"_qs);
        const Run over = runExplorer({u"--session"_qs, session, u"--colors"_qs, u"greys"_qs, u"--export"_qs, overridden});
        QVERIFY2(over.exitCode == 0, qPrintable(over.errors));
        QVERIFY(QImage(overridden) == QImage(greys));
    }

    // An SVG declares the size of its page exactly, at 96 pixels per inch as a PNG is tagged:
    // 0.75 pt per pixel of its viewBox. Millimetres rounded to 3 decimals (370.417mm for 1400
    // pixels) rendered as 1401 pixels, one of them a transparent strip.
    void anSvgDeclaresItsPageSizeExactly_data()
    {
        QTest::addColumn<QString>("view");
        for (const char* view : {"heads", "head:2", "links", "steps"})
            QTest::newRow(view) << QString::fromLatin1(view);
    }
    void anSvgDeclaresItsPageSizeExactly()
    {
        QFETCH(QString, view);
        const QString path = m_dir.filePath(u"exact.svg"_qs);
        const Run run = runExplorer({u"--text"_qs, sentence, u"--view"_qs, view, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.name(), u"svg"_qs);
        const QStringList viewBox = xml.attributes().value(u"viewBox"_qs).toString().split(u' ');
        QCOMPARE(viewBox.size(), 4);
        const QString width = xml.attributes().value(u"width"_qs).toString();
        const QString height = xml.attributes().value(u"height"_qs).toString();
        QVERIFY2(width.endsWith(u"pt"_qs) && height.endsWith(u"pt"_qs), qPrintable(width + u' ' + height));
        QVERIFY2(width.chopped(2).toDouble() == viewBox[2].toDouble() * 0.75, qPrintable(width + u" for "_qs + viewBox[2]));
        QVERIFY2(height.chopped(2).toDouble() == viewBox[3].toDouble() * 0.75, qPrintable(height + u" for "_qs + viewBox[3]));
    }

    // --size lays a figure out on a page of that size (a paper's column, say), in the PNG's
    // pixels and the SVG's declared points alike, for every view that fits it.
    void aGivenPageSizeIsTheFiguresSize_data()
    {
        QTest::addColumn<QString>("view");
        QTest::addColumn<QSize>("size");
        QTest::newRow("heads in a column") << u"heads"_qs << QSize(320, 240);
        QTest::newRow("a head, wide") << u"head:2"_qs << QSize(900, 300);
        QTest::newRow("links, tall") << u"links"_qs << QSize(320, 900);
        QTest::newRow("steps at their least") << u"steps"_qs << QSize(1060, 640);
    }
    void aGivenPageSizeIsTheFiguresSize()
    {
        QFETCH(QString, view);
        QFETCH(QSize, size);
        const QString sizeText = QString::number(size.width()) + u'x' + QString::number(size.height());
        const QString png = m_dir.filePath(u"sized.png"_qs), svg = m_dir.filePath(u"sized.svg"_qs);
        for (const QString& path : {png, svg}) {
            QStringList arguments{u"--text"_qs, sentence, u"--view"_qs, view, u"--size"_qs, sizeText, u"--export"_qs, path};
            if (path == png)
                arguments << u"--scale"_qs << u"2"_qs;
            const Run run = runExplorer(arguments);
            QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        }
        QCOMPARE(QImage(png).size(), size * 2);
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.attributes().value(u"width"_qs).toString(), QString::number(size.width() * 0.75, 'f', 2) + u"pt"_qs);
        QCOMPARE(xml.attributes().value(u"height"_qs).toString(), QString::number(size.height() * 0.75, 'f', 2) + u"pt"_qs);
    }

    // The size a refusal asks for is one the command then takes (it once asked for 310x190
    // and then refused the 190 as below a fixed 200).
    void theLeastPageSizeAskedForIsTaken()
    {
        const QString path = m_dir.filePath(u"least.png"_qs);
        for (const QStringList& look : {QStringList(), QStringList{u"--presentation"_qs}}) {
            const Run refused = runExplorer(QStringList{u"--size"_qs, u"100x600"_qs, u"--export"_qs, path} + look);
            QCOMPARE(refused.exitCode, 2);
            const QRegularExpressionMatch least = QRegularExpression(u"give at least (\\d+x\\d+)"_qs).match(refused.errors);
            QVERIFY2(least.hasMatch(), qPrintable(refused.errors));
            const Run taken = runExplorer(QStringList{u"--size"_qs, least.captured(1), u"--export"_qs, path} + look);
            QVERIFY2(taken.exitCode == 0, qPrintable(taken.errors));
        }
    }

    // A page refused for its size is refused before anything is computed: the dump that
    // would go with the figure is not written either.
    void aRefusedPageSizeWritesNoDump()
    {
        const QString dump = m_dir.filePath(u"refused-dump"_qs);
        const Run run = runExplorer({u"--text"_qs, u"le chat dort"_qs, u"--view"_qs, u"steps"_qs, u"--size"_qs, u"800x600"_qs,
                                     u"--dump"_qs, dump, u"--export"_qs, m_dir.filePath(u"steps.png"_qs)});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errors.contains(u"too small for the steps"_qs), qPrintable(run.errors));
        QVERIFY(!QFileInfo::exists(dump));
    }

    // --theme dark draws a figure for dark slides, on the dark palette's base; the default,
    // and system, stay light.
    void theDarkThemeDrawsFiguresOnTheDarkPalette()
    {
        const QString dark = m_dir.filePath(u"dark.png"_qs), system = m_dir.filePath(u"system.png"_qs);
        const Run darkRun = runExplorer({u"--text"_qs, u"le chat dort"_qs, u"--theme"_qs, u"dark"_qs, u"--export"_qs, dark});
        QVERIFY2(darkRun.exitCode == 0, qPrintable(darkRun.errors));
        const Run systemRun = runExplorer({u"--text"_qs, u"le chat dort"_qs, u"--theme"_qs, u"system"_qs, u"--export"_qs, system});
        QVERIFY2(systemRun.exitCode == 0, qPrintable(systemRun.errors));
        QCOMPARE(QImage(dark).pixelColor(1, 1), darkPalette().color(QPalette::Base));
        QCOMPARE(QImage(system).pixelColor(1, 1), QColor(Qt::white));
    }

    // A source of spaces is no source: the title has no arrow to it.
    void aSourceWithoutTokensPutsNoArrowInTheTitle()
    {
        const QString path = m_dir.filePath(u"no-source.png"_qs);
        const Run run = runExplorer({u"--text"_qs, u"le chat"_qs, u"--source"_qs, u"   "_qs, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        attn::Request request;
        request.text = "le chat";
        QVERIFY(QImage(path) == headsFigure(request, u"le chat"_qs));
    }

    void commandLineRejectsBadArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("mentions");
        const QString out = m_dir.filePath(u"never-written.png"_qs);
        QTest::newRow("unknown view") << QStringList{u"--export"_qs, out, u"--view"_qs, u"heatmap"_qs} << u"heatmap"_qs;
        QTest::newRow("a model's view without a model") << QStringList{u"--export"_qs, out, u"--view"_qs, u"rollout"_qs}
                                                        << u"--view rollout shows a trained model; give its folder with --model DIR."_qs;
        QTest::newRow("head 0") << QStringList{u"--export"_qs, out, u"--view"_qs, u"head:0"_qs} << u"head:0"_qs;
        QTest::newRow("head beyond the heads") << QStringList{u"--export"_qs, out, u"--heads"_qs, u"2"_qs, u"--view"_qs, u"head:5"_qs}
                                               << u"--view head:5: the layer has 2 heads; use head:1 to head:2."_qs;
        // Said as a count of one ("there are only 1 heads"), and a number past int's range
        // as a number ("must be a whole number").
        QTest::newRow("head 2 of one") << QStringList{u"--export"_qs, out, u"--heads"_qs, u"1"_qs, u"--view"_qs, u"head:2"_qs}
                                       << u"--view head:2: the layer has 1 head; use head:1."_qs;
        QTest::newRow("a head past any layer")
            << QStringList{u"--export"_qs, out, u"--view"_qs, u"head:99999999999999"_qs}
            << u"--view head:99999999999999: no head has that number"_qs;
        QTest::newRow("missing view value") << QStringList{u"--export"_qs, out, u"--view"_qs} << u"--view"_qs;
        QTest::newRow("missing export value") << QStringList{u"--export"_qs} << u"--export"_qs;
        QTest::newRow("scale out of range") << QStringList{u"--export"_qs, out, u"--scale"_qs, u"9"_qs} << u"--scale"_qs;
        QTest::newRow("scale not a number") << QStringList{u"--export"_qs, out, u"--scale"_qs, u"nan"_qs}
                                            << u"--scale nan is outside 1 to 4"_qs;
        QTest::newRow("an unknown theme") << QStringList{u"--export"_qs, out, u"--theme"_qs, u"blue"_qs}
                                          << u"--theme blue: use light, dark or system."_qs;
        QTest::newRow("an unknown colour map") << QStringList{u"--export"_qs, out, u"--colors"_qs, u"jet"_qs}
                                               << u"--colors jet: use viridis, cividis or greys."_qs;
        // An SVG's heatmaps are images: its message does not call it all vectors.
        QTest::newRow("a pixel scale for an SVG") << QStringList{u"--export"_qs, m_dir.filePath(u"figure.svg"_qs), u"--scale"_qs, u"3"_qs}
                                                  << u"--scale 3 sets the pixel scale of a PNG; an SVG has none: whoever places it "
                                                     u"sets its size, and its heatmaps carry up to 4 image pixels per page pixel."_qs;
        QTest::newRow("no tokens to draw") << QStringList{u"--text"_qs, u"  "_qs, u"--export"_qs, out}
                                           << u"there is nothing to draw: the text has no tokens"_qs;
        QTest::newRow("a format it does not write") << QStringList{u"--export"_qs, m_dir.filePath(u"figure.jpg"_qs)}
                                                    << u"figure.jpg: figures are saved as PNG or SVG"_qs;
        QTest::newRow("missing session file") << QStringList{u"--export"_qs, out, u"--session"_qs, u"/nonexistent/s.json"_qs}
                                              << u"s.json"_qs;
        // An empty name (an unset shell variable) once opened the window and waited there.
        QTest::newRow("empty export name") << QStringList{u"--export"_qs, QString()} << u"--export needs a file name"_qs;
        QTest::newRow("an option given twice") << QStringList{u"--export"_qs, out, u"--heads"_qs, u"2"_qs, u"--heads"_qs, u"8"_qs}
                                               << u"--heads is given 2 times (\"2\", \"8\"); give it once."_qs;
        QTest::newRow("two pixel scales") << QStringList{u"--export"_qs, out, u"--scale"_qs, u"2"_qs, u"--scale"_qs, u"3"_qs}
                                          << u"--scale is given twice for the same thing"_qs;
        QTest::newRow("a page size without its height") << QStringList{u"--export"_qs, out, u"--size"_qs, u"500"_qs}
                                                        << u"--size 500: give the page's width and height in pixels, each up to 4000"_qs;
        QTest::newRow("a page with no side") << QStringList{u"--export"_qs, out, u"--size"_qs, u"0x90"_qs}
                                             << u"--size 0x90: give the page's width and height"_qs;
        QTest::newRow("a page larger than an image can hold") << QStringList{u"--export"_qs, out, u"--size"_qs, u"5000x400"_qs}
                                                              << u"each up to 4000"_qs;
        QTest::newRow("a page size for the window") << QStringList{u"--size"_qs, u"500x340"_qs}
                                                    << u"--size sets the page of the figure that --export writes"_qs;
        QTest::newRow("a page size for a dump") << QStringList{u"--dump"_qs, m_dir.filePath(u"dump"_qs), u"--size"_qs, u"500x340"_qs}
                                                << u"--size shapes the figure of --export, and this command only dumps"_qs;
        QTest::newRow("two page sizes") << QStringList{u"--export"_qs, out, u"--size"_qs, u"320x240"_qs, u"--size"_qs, u"400x300"_qs}
                                        << u"--size is given 2 times (\"320x240\", \"400x300\"); give it once."_qs;
        QTest::newRow("a PNG too large to draw")
            << QStringList{u"--export"_qs, out, u"--size"_qs, u"4000x4000"_qs, u"--scale"_qs, u"4"_qs}
            << u"--size 4000x4000 at --scale 4 makes a PNG of 16000 × 16000 pixels (1.0 GB while it is drawn)"_qs;
        QTest::newRow("a page too small for its type")
            << QStringList{u"--export"_qs, out, u"--size"_qs, u"300x220"_qs}
            << u"--size 300x220 leaves no room for a figure's title, labels and footnote in this type"_qs;
        QTest::newRow("a page too small for the presentation's type")
            << QStringList{u"--export"_qs, out, u"--view"_qs, u"links"_qs, u"--presentation"_qs, u"--size"_qs, u"320x240"_qs}
            << u"in the presentation's type (22 px): give at least"_qs;
        QTest::newRow("a page too small for the steps")
            << QStringList{u"--export"_qs, out, u"--view"_qs, u"steps"_qs, u"--size"_qs, u"800x600"_qs}
            << u"--size 800x600 is too small for the steps: they need at least 1060x640"_qs;
        QTest::newRow("causal cross-attention")
            << QStringList{u"--export"_qs, out, u"--text"_qs, u"le chat"_qs, u"--source"_qs, u"the cat"_qs, u"--causal"_qs}
            << u"turn the causal mask off"_qs;
    }

    // A figure never replaces a file that holds something else: a layer, a session, notes.
    void anExportNeverWritesOverAFileThatIsNoFigure()
    {
        const QString notes = m_dir.filePath(u"notes"_qs); // no extension: a PNG by name
        QFile file(notes);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"keep\": true}");
        file.close();
        const Run refused = runExplorer({u"--export"_qs, notes});
        QVERIFY(refused.exitCode != 0);
        QVERIFY2(refused.errors.contains(u"it holds something other than a PNG or SVG figure"_qs), qPrintable(refused.errors));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("{\"keep\": true}"));
        file.close();

        // A figure it wrote before it writes again.
        const QString figure = m_dir.filePath(u"again.svg"_qs);
        for (int run = 0; run < 2; ++run)
            QCOMPARE(runExplorer({u"--export"_qs, figure}).exitCode, 0);
    }

    // Markup and control characters of the text stay text: the SVG is still XML.
    void anSvgOfAnyTextIsValidXml()
    {
        const QString path = m_dir.filePath(u"markup.svg"_qs);
        const Run run = runExplorer({u"--text"_qs, u"Tom & Jerry <3 \u0001bell"_qs, u"--source"_qs, u"x<y"_qs,
                                     u"--view"_qs, u"steps"_qs, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray svg = file.readAll();
        QXmlStreamReader xml(svg);
        QString description;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == u"desc")
                description = xml.readElementText();
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        // Escaped once: read back, the texts as given (the control character left out).
        QCOMPARE(description, u"Tom & Jerry <3 bell ← x<y"_qs);
    }

    // A footnote that does not fit its line goes on to the next ones: what the figure left
    // out and how to read it once ended in "…" on most pages of a paper's column.
    void footnotesAreWholeOnSmallPages_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("lastWords");
        const QString model = QString::fromUtf8(ATTN_FIXTURES_DIR) + u"/models/gpt2-tiny"_qs;
        QTest::newRow("heads in a column") << QStringList{u"--size"_qs, u"320x240"_qs} << u"across."_qs;
        QTest::newRow("a head in a column") << QStringList{u"--view"_qs, u"head:1"_qs, u"--size"_qs, u"320x240"_qs}
                                            << u"across."_qs;
        QTest::newRow("links on a strip") << QStringList{u"--view"_qs, u"links"_qs, u"--size"_qs, u"640x300"_qs}
                                          << u"its line."_qs;
        QTest::newRow("links on a slide") << QStringList{u"--view"_qs, u"links"_qs, u"--presentation"_qs} << u"its line."_qs;
        QTest::newRow("a model's rollout") << QStringList{u"--model"_qs, model, u"--view"_qs, u"rollout"_qs, u"--size"_qs,
                                                          u"640x300"_qs}
                                           << u"2020)."_qs;
        QTest::newRow("a model's heads") << QStringList{u"--model"_qs, model, u"--view"_qs, u"model"_qs, u"--size"_qs,
                                                        u"320x240"_qs}
                                         << u"hides."_qs;
    }
    void footnotesAreWholeOnSmallPages()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, lastWords);
        const QString path = m_dir.filePath(u"footnote.svg"_qs);
        const Run run = runExplorer(arguments + QStringList{u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        const QStringList texts = svgTexts(path);
        QVERIFY2(std::any_of(texts.cbegin(), texts.cend(), [&](const QString& text) { return text.endsWith(lastWords); }),
                 qPrintable(texts.join(u" | "_qs)));
    }

    // The model's grid says when the display settings hide the first token or drop weak
    // links, as the sandbox's heads do: its thumbnails have no token names, and with the
    // first token hidden their first column read as the first token's.
    void theModelsGridSaysWhatTheDisplaySettingsLeaveOut()
    {
        const QString session = m_dir.filePath(u"filtered.json"_qs);
        QFile file(session);
        QVERIFY(file.open(QIODevice::WriteOnly));
        const QString folder = QString::fromUtf8(ATTN_FIXTURES_DIR) + u"/models/gpt2-tiny"_qs;
        file.write(R"({"format": "attention-explorer-session", "version": 1, "view": "model",
                      "text": "the quick brown fox jumps over the lazy dog", "backend": "auto",
                      "config": {"heads": 4, "d_model": 64, "d_k": 16, "d_v": 0, "seed": 42, "causal": false,
                                 "scaling": "sqrt", "temperature": 1, "positional": "sinusoidal", "bias": false},
                      "selection": {"head": 0, "query": -1, "key": -1}, "colorMap": "viridis",
                      "filter": {"keepShare": 0.95, "hideFirst": true},
                      "model": {"folder": ")" + folder.toUtf8() + R"(", "layer": 0, "head": 0}})");
        file.close();
        const QString path = m_dir.filePath(u"grid.svg"_qs);
        const Run run = runExplorer({u"--session"_qs, session, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        const QString texts = svgTexts(path).join(u' ');
        QVERIFY2(texts.contains(u"First token hidden, rows renormalised."_qs), qPrintable(texts));
        QVERIFY2(texts.contains(u"Each row keeps its strongest links up to 95%"_qs), qPrintable(texts));
    }

    // At a column's width a title's settings go on to a third line rather than lose the
    // view's name ("gpt2-tiny: 2 layers × 4 heads, dₖ = 8 · …").
    void aTitleAtAColumnsWidthKeepsTheViewsName()
    {
        const QString path = m_dir.filePath(u"column.svg"_qs);
        const Run run = runExplorer({u"--model"_qs, QString::fromUtf8(ATTN_FIXTURES_DIR) + u"/models/gpt2-tiny"_qs,
                                     u"--view"_qs, u"rollout"_qs, u"--size"_qs, u"320x240"_qs, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        const QStringList texts = svgTexts(path);
        QVERIFY2(texts.contains(u"gpt2-tiny: 2 layers × 4 heads, dₖ = 8"_qs), qPrintable(texts.join(u" | "_qs)));
        QVERIFY2(texts.contains(u"attention rollout through layer 2"_qs), qPrintable(texts.join(u" | "_qs)));
    }

    // A narrow page cuts each text of cross-attention on its own, so that the arrow between
    // them stays: one cut across both ("“le chat noir dort …g on the mat today”") read as one
    // sentence, with nothing saying there were two.
    void aNarrowTitleKeepsBothTextsOfCrossAttention()
    {
        const QString path = m_dir.filePath(u"cross.svg"_qs);
        const Run run = runExplorer({u"--text"_qs, u"le chat noir dort sur le tapis"_qs, u"--source"_qs,
                                     u"the black cat is sleeping on the mat today"_qs, u"--size"_qs, u"320x240"_qs,
                                     u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        const QStringList texts = svgTexts(path);
        const auto quote = std::find_if(texts.cbegin(), texts.cend(), [](const QString& text) { return text.startsWith(u'“'); });
        const QString title = quote != texts.cend() ? *quote : QString();
        QVERIFY2(title.contains(u"”  ←  “"_qs), qPrintable(title));
        QVERIFY2(title.startsWith(u"“le"_qs) && title.section(u'←', 1).trimmed().startsWith(u"“the"_qs), qPrintable(title));
        QVERIFY2(title.count(u'…') == 2, qPrintable(title));
    }

    // A session on the command line: the export paints the session's view, selection and
    // colours exactly as the same state painted here does.
    void commandLineSessionExportsItsViewAndSelection()
    {
        SessionState state;
        state.text = u"I love my small cat"_qs;
        state.config.heads = 3;
        state.config.d_k = 8;
        state.config.causal = true;
        state.backend = attn::BackendKind::Reference;
        state.view = u"steps"_qs;
        state.head = 2;
        state.query = 3;
        state.key = 1;
        state.colorMap = ColorMapId::Cividis;
        const QString path = m_dir.filePath(u"from-session.png"_qs);
        const Run run = exportSession(state, u"lesson"_qs, path);
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        const QImage exported(path);
        QCOMPARE(exported.size(), stepsExportPageSize());

        attn::Request request;
        request.text = state.text.toStdString();
        request.config = state.config;
        request.backend = state.backend;
        attn::Engine engine;
        const auto trace = engine.run(request);
        Figure figure;
        figure.paint = &paintSteps;
        figure.options.look = Appearance::standard();
        figure.options.look.colorMap = state.colorMap;
        figure.options.look.text = state.text;
        figure.options.focus.head = state.head;
        figure.options.focus.pinnedQueries = {state.query};
        figure.options.focus.selectedKey = state.key;
        figure.size = stepsExportPageSize();
        const QImage expected = renderImage(figure, *trace).convertToFormat(exported.format());
        QVERIFY2(exported == expected, "the export differs from the session's state painted here");

        // Options on the command line win over the session's: --view and --heads.
        const QString heads = m_dir.filePath(u"override.png"_qs);
        const QString dump = m_dir.filePath(u"dump"_qs);
        const QString sessionPath = m_dir.filePath(u"lesson.json"_qs); // written by exportSession above
        const Run over = runExplorer({u"--session"_qs, sessionPath, u"--heads"_qs, u"5"_qs, u"--view"_qs, u"heads"_qs,
                                      u"--export"_qs, heads, u"--dump"_qs, dump});
        QVERIFY2(over.exitCode == 0, qPrintable(over.errors));
        request.config.heads = 5;
        QCOMPARE(QImage(heads).size(), exportPageSize(ViewId::Heads, *engine.run(request), figure.options));
        QFile manifest(dump + u"/manifest.json"_qs);
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        const QJsonObject config = QJsonDocument::fromJson(manifest.readAll()).object()[u"config"_qs].toObject();
        QCOMPARE(config[u"heads"_qs].toInt(), 5);                 // from the command line
        QCOMPARE(config[u"d_k"_qs].toInt(), 8);                   // from the session
        QCOMPARE(config[u"causal"_qs].toBool(), true);            // from the session
    }

    void commandLineRefusesAMalformedSession()
    {
        const QString sessionPath = m_dir.filePath(u"damaged.json"_qs);
        QFile file(sessionPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"format": "attention-explorer-session", "version": 1, "text": 5})");
        file.close();
        const QString out = m_dir.filePath(u"never.png"_qs);
        for (const QStringList& arguments : {QStringList{u"--session"_qs, sessionPath, u"--export"_qs, out},
                                             QStringList{u"--session"_qs, sessionPath, u"--dump"_qs, m_dir.filePath(u"d"_qs)}}) {
            const Run run = runExplorer(arguments);
            QVERIFY(run.exitCode > 0);
            QVERIFY2(run.errors.contains(u"damaged.json"_qs) && run.errors.contains(u"text"_qs), qPrintable(run.errors));
        }
        QVERIFY(!QFileInfo::exists(out));
    }

    void commandLineExportsCrossAttention()
    {
        for (const QString& view : {u"heads"_qs, u"head:2"_qs, u"links"_qs, u"steps"_qs}) {
            const QString path = m_dir.filePath(u"cross-"_qs + QString(view).replace(u':', u'-') + u".png"_qs);
            const Run run = runExplorer({u"--text"_qs, u"le chat dort"_qs, u"--source"_qs, u"the cat is sleeping"_qs,
                                         u"--view"_qs, view, u"--export"_qs, path});
            QVERIFY2(run.exitCode == 0, qPrintable(view + u": "_qs + run.errors));
            QVERIFY2(distinctColours(QImage(path)) > 12, qPrintable(view));
        }
    }
    void commandLineRejectsBadArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, mentions);
        const Run run = runExplorer(arguments);
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.errors.contains(mentions), qPrintable(run.errors));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(u"never-written.png"_qs)));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(u"figure.jpg"_qs)));
    }

    // On a server with no display: figures are still written, option errors still named,
    // and the window, which cannot open, says so and what to do instead.
    void withoutADisplayOnlyTheWindowIsRefused()
    {
        const QString path = m_dir.filePath(u"no-display.png"_qs);
        const Run exported = runExplorer({u"--text"_qs, u"zebra crossing"_qs, u"--export"_qs, path}, Screen::NoDisplay);
        QVERIFY2(exported.exitCode == 0, qPrintable(exported.errors));
        QVERIFY(!QImage(path).isNull());

        const Run badOption = runExplorer({u"--heads"_qs, u"many"_qs}, Screen::NoDisplay);
        QCOMPARE(badOption.exitCode, 2);
        QVERIFY2(badOption.errors.contains(u"--heads"_qs), qPrintable(badOption.errors));

        const Run window = runExplorer({u"--text"_qs, u"zebra crossing"_qs}, Screen::NoDisplay);
        QCOMPARE(window.exitCode, 1);
        QVERIFY2(window.errors.contains(u"no display"_qs) && window.errors.contains(u"--export"_qs),
                 qPrintable(window.errors));
    }
};

ATTN_GUI_TEST_MAIN(TestExport)
#include "test_export.moc"
