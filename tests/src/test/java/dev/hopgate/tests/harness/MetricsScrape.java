package dev.hopgate.tests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One scrape of hopgate's {@code /metrics} (Prometheus text format): each series, written as {@code
 * name{labels}} exactly as exposed, to its value.
 */
public record MetricsScrape(String text, Map<String, Double> series) {
  public static MetricsScrape of(int port) {
    try {
      String text =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Map<String, Double> series = new LinkedHashMap<>();
      for (String line : text.split("\n")) {
        int space = line.lastIndexOf(' ');
        if (line.isBlank() || line.startsWith("#") || space < 0) {
          continue;
        }
        series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
      return new MetricsScrape(text, Map.copyOf(series));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** hopgate's series without the histogram buckets: what a failed wait prints. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    series.entrySet().stream()
        .filter(e -> !e.getKey().contains("_bucket"))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.append("\n    ").append(e.getKey()).append(' ').append(e.getValue()));
    return out.toString();
  }

  /** The value of {@code series} ({@code name{labels}}), 0 when it is not exposed (yet). */
  public double value(String series) {
    return this.series.getOrDefault(series, 0.0);
  }

  /** How much {@code series} grew since {@code before}. */
  public double since(MetricsScrape before, String series) {
    return value(series) - before.value(series);
  }
}
