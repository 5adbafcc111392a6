using System.Diagnostics.Metrics;

namespace Lab10.Stock;

/// <summary>The stock API's own figures.</summary>
public sealed class StockMetrics
{
    public const string MeterName = "Lab10.Stock";

    private readonly Counter<long> _checks;

    public StockMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _checks = Meter.CreateCounter<long>("stock.checks", "{check}", "Basket stock checks, by outcome.");
    }

    /// <summary>The meter, for instruments that observe another component.</summary>
    public Meter Meter { get; }

    public void Checked(string outcome) => _checks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
