using System.Diagnostics.Metrics;

namespace Lab05.Accounts;

/// <summary>The wallet's own figures: movements by kind and outcome.</summary>
public sealed class WalletMetrics
{
    public const string MeterName = "Lab05.Wallet";

    private readonly Counter<long> _movements;

    public WalletMetrics(IMeterFactory meterFactory) =>
        _movements = meterFactory.Create(MeterName).CreateCounter<long>("wallet.movements", "{movement}", "Deposits and withdrawals, by kind and outcome.");

    public void Moved(string kind, string outcome) =>
        _movements.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));
}
