using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Lab02.Reports;

/// <summary>Renders a report as CSV, one line per order of the report's region and week, into one buffer ready to send.</summary>
public sealed class ReportRenderer(IOptions<LabOptions> options, ReportMetrics metrics, TimeProvider time)
{
    private const string Header = "order,date,region,product,units,unit_price,revenue";
    private static readonly (string Name, decimal Price)[] Products =
    [
        ("Espresso machine", 489.00m), ("Grinder", 129.50m), ("Kettle", 39.90m), ("Milk frother", 24.95m),
        ("Scale", 19.99m), ("Filter papers", 4.49m), ("Descaler", 7.25m), ("Tamper", 14.00m),
    ];
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public async Task<ReadOnlyMemory<byte>> RenderAsync(ReportInfo report, CancellationToken cancellationToken)
    {
        // The warehouse query: the slow part of a real report, and the part a shutdown usually interrupts.
        if (options.Value.QueryDelayMs > 0) await Task.Delay(TimeSpan.FromMilliseconds(options.Value.QueryDelayMs), time, cancellationToken);
        var size = options.Value.ReportSizeKb * 1024;
        // Sized for the whole report up front: one allocation, handed to the response as it is.
        var buffer = new MemoryStream(size + 256);
        await using (var writer = new StreamWriter(buffer, Utf8, bufferSize: 16 * 1024, leaveOpen: true))
        {
            // The same report always renders the same orders.
            var random = new Random(report.Id);
            await writer.WriteLineAsync(Header.AsMemory(), cancellationToken);
            for (long written = Header.Length + 1, order = 1; written < size; order++)
            {
                var (product, price) = Products[random.Next(Products.Length)];
                var units = 1 + random.Next(12);
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{report.Id * 100_000 + order},{report.From.AddDays(random.Next(7)):yyyy-MM-dd},{report.Region},{product},{units},{price:0.00},{units * price:0.00}");
                await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
                written += line.Length + 1;
            }
        }
        metrics.Rendered(buffer.Length);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
