package io.barmand.report;

import io.barmand.report.ReportData.Point;
import io.barmand.report.ReportData.Trend;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.time.Millisecond;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;

/**
 * A server's trend as a small PNG, drawn by JFreeChart: backup size (MiB), backup duration and restore-test RTO
 * (seconds), one plot each over the trend's days; the whole host's ({@link ReportData#HOST}) per day: the total size
 * (GiB) of the backups, the longest backup, the longest RTO.
 */
public final class TrendChart {
    public static final int WIDTH = 640;
    public static final int HEIGHT = 240;
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);

    static {
        System.setProperty("java.awt.headless", "true");
        // PNGs are written to memory: no temporary cache file per image (ImageIO's default writes one)
        javax.imageio.ImageIO.setUseCache(false);
    }

    private TrendChart() {
    }

    /** The PNG, or null when there is nothing to draw. */
    public static byte[] png(Trend t, Instant from, Instant to, ZoneId zone) {
        if (t.backups().isEmpty() && t.restoreTests().isEmpty()) {
            return null;
        }
        DateAxis time = new DateAxis();
        time.setTimeZone(TimeZone.getTimeZone(zone));
        time.setRange(Date.from(from), Date.from(to));
        time.setTickLabelFont(SMALL);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
        plot.setGap(6);
        boolean host = t.server().equals(ReportData.HOST);
        plot.add(plot(series(host ? "backups of the day, total size (GiB)" : "backup size (MiB)", t.backups(),
                host ? 1073741824.0 : 1048576.0), host ? "GiB" : "MiB", new Color(0x1f77b4)), 1);
        plot.add(plot(series(host ? "longest backup of the day (s)" : "backup took (s)", t.backups(), 0), "s",
                new Color(0xff7f0e)), 1);
        if (!t.restoreTests().isEmpty()) {
            plot.add(plot(series(host ? "longest restore test RTO of the day (s)" : "restore test RTO (s)", t.restoreTests(),
                    0), "s", new Color(0x2ca02c)), 1);
        }
        JFreeChart chart = new JFreeChart(null, SMALL, plot, true);
        chart.getLegend().setItemFont(SMALL);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        BufferedImage img = chart.createBufferedImage(WIDTH, HEIGHT);
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            ChartUtils.writeBufferedImageAsPNG(out, img, false, 6);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** @param unit the bytes of the size's unit, or 0 for the point's value */
    private static TimeSeriesCollection series(String name, List<Point> points, double unit) {
        TimeSeries s = new TimeSeries(name);
        for (Point p : points) {
            double v = unit > 0 ? (p.bytes() == null ? Double.NaN : p.bytes() / unit) : p.value();
            s.addOrUpdate(new Millisecond(Date.from(p.at())), v);
        }
        return new TimeSeriesCollection(s);
    }

    private static XYPlot plot(TimeSeriesCollection data, String unit, Color color) {
        NumberAxis y = new NumberAxis(unit);
        y.setAutoRangeIncludesZero(true);
        y.setTickLabelFont(SMALL);
        y.setLabelFont(SMALL);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesPaint(0, color);
        r.setSeriesStroke(0, new BasicStroke(1.5f));
        XYPlot p = new XYPlot(data, null, y, r);
        p.setBackgroundPaint(new Color(0xf6f8fa));
        p.setDomainGridlinePaint(Color.LIGHT_GRAY);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return p;
    }
}
