using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;

namespace Lab05.Replay;

/// <summary>
/// Lab 05: 1,000 withdrawals of 1.00 from one account that holds 100.00, 50 at a time, every ledger write taking
/// 20 ms. Broken reads the balance, checks it, awaits the ledger and writes back what it read minus the amount, so
/// the withdrawals in flight together all pass the check and overwrite one another: it pays out far more than the
/// account held. Fixed pays exactly 100 and refuses the rest.
/// </summary>
public sealed class DataRaceScenario : LabScenario
{
    /// <summary>Withdrawals, at scale 1.</summary>
    public const int Withdrawals = 1_000;

    /// <summary>Withdrawals in flight.</summary>
    public const int InFlight = 50;

    /// <summary>The account's opening balance.</summary>
    public const decimal Opening = 100m;

    /// <summary>How long a ledger write takes.</summary>
    public const int LedgerMs = 20;

    /// <summary>The headline's figure: money paid out that the balance never lost (or lost that it never paid), per 1,000 withdrawals.</summary>
    public const string CreatedPerThousand = "money_created_per_1000";

    /// <inheritdoc />
    public override string Lab => "05-data-race";

    /// <inheritdoc />
    public override string Title => "The balance that went negative";

    /// <inheritdoc />
    public override string Symptom => "Concurrent withdrawals all pass the balance check and overwrite each other: money appears and disappears.";

    /// <inheritdoc />
    public override long? RequestCount => Withdrawals;

    public override string Conditions(double scale) => string.Create(CultureInfo.InvariantCulture,
        $"{Math.Max(1, Math.Round(Withdrawals * scale)):N0} withdrawals of 1.00 from one account holding {Opening:N2}, {InFlight} in flight; a ledger write takes {LedgerMs} ms");

    /// <inheritdoc />
    public override IReadOnlyList<LabMetric> LabMetrics =>
    [
        new("wallet_movements_total", "movements, paid or refused"),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<FigureRow> KeyRows =>
    [
        new("paid", "withdrawals paid (200)"),
        new("refused", "withdrawals refused (409)"),
        new("balance", "balance after the load"),
        new("ledger_expected", "opening balance plus the ledger"),
        new("p99_ms", "latency p99"),
    ];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new(CreatedPerThousand, "money paid out that the balance never lost, per 1,000 withdrawals", Better.Lower, Unit: 1,
        (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"From an account holding {Opening:N2}, Broken paid {broken.Figure("paid"):N0} withdrawals of 1.00 and still shows a balance of {broken.Figure("balance"):N2}, " +
            $"while its own ledger adds up to {broken.Figure("ledger_expected"):N2}: {h.Broken:N0} paid out per 1,000 withdrawals that the balance never lost. " +
            $"Fixed paid {@fixed.Figure("paid"):N0}, refused {@fixed.Figure("refused"):N0}, and ends at {@fixed.Figure("balance"):N2}, matching its ledger. " +
            $"Its cost: withdrawals on one account wait for each other, so one account pays at most 1,000 / {LedgerMs} = {1000 / LedgerMs} a second " +
            $"(a refusal waits its turn too, but takes no ledger write): Fixed answered {@fixed.Figure("throughput_rps"):N0} a second against Broken's {broken.Figure("throughput_rps"):N0}."));

    /// <inheritdoc />
    public override ScenarioText Chinese { get; } = new(
        Title: "变成负数的余额",
        Conditions: scale => string.Create(CultureInfo.InvariantCulture,
            $"从余额 {Opening:N2} 的一个账户提现 {Math.Max(1, Math.Round(Withdrawals * scale)):N0} 笔，每笔 1.00，同时在途 {InFlight} 笔；一次账本写入耗时 {LedgerMs} ms"),
        HeadlineLabel: "每 1,000 笔提现中，付了出去、余额却没有扣掉的钱",
        Sentence: (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"账户里只有 {Opening:N2}，Broken 却付出了 {broken.Figure("paid"):N0} 笔 1.00 的提现，余额仍显示 {broken.Figure("balance"):N2}，" +
            $"而它自己的账本加起来是 {broken.Figure("ledger_expected"):N2}：每 1,000 笔提现，就有 {h.Broken:N0} 付了出去、余额却没有扣掉。" +
            $"Fixed 付出 {@fixed.Figure("paid"):N0} 笔、拒绝 {@fixed.Figure("refused"):N0} 笔，最终余额 {@fixed.Figure("balance"):N2}，与账本一致。" +
            $"它的代价：同一账户上的提现相互等待，所以一个账户每秒最多付出 1,000 / {LedgerMs} = {1000 / LedgerMs} 笔" +
            $"（被拒绝的提现也要排队，但不写账本）：Fixed 每秒应答 {@fixed.Figure("throughput_rps"):N0} 个请求，Broken 为 {broken.Figure("throughput_rps"):N0} 个。"),
        Labels: new Dictionary<string, string>
        {
            ["paid"] = "付出的提现（200）",
            ["refused"] = "被拒绝的提现（409）",
            ["balance"] = "负载结束后的余额",
            ["ledger_expected"] = "期初余额加上账本变动",
            ["p99_ms"] = "延迟 p99",
            ["wallet_movements_total"] = "资金变动，付出或被拒绝",
        });

    /// <inheritdoc />
    public override Task<ScenarioContext> PrepareAsync(string variant, double scale, CancellationToken ct) =>
        Task.FromResult(new ScenarioContext(variant, new Dictionary<string, string>
        {
            ["Lab:LedgerLatencyMs"] = LedgerMs.ToString(CultureInfo.InvariantCulture),
            ["Lab:InitialBalance"] = Opening.ToString(CultureInfo.InvariantCulture),
        }, scale));

    /// <inheritdoc />
    public override async Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        using var client = service.CreateClient(InFlight);
        var load = await LoadDriver.RunRequestsAsync(client, _ => new HttpRequestMessage(HttpMethod.Post, "/api/accounts/1/withdraw")
            {
                Content = new StringContent("{\"amount\": 1.00}", Encoding.UTF8, "application/json"),
            },
            InFlight, context.Scaled(Withdrawals), new LoadSettings { RequestTimeout = TimeSpan.FromSeconds(60) }, progress, ct).ConfigureAwait(false);
        var ledger = await client.GetFromJsonAsync<LedgerBody>(new Uri("/api/accounts/1/ledger", UriKind.Relative), ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The ledger endpoint answered nothing.");
        context.Figures["balance"] = (double)ledger.Balance;
        context.Figures["ledger_expected"] = (double)(ledger.Opening + ledger.Movements);
        return load;
    }

    /// <inheritdoc />
    public override void Derive(string variant, LoadResult load, IDictionary<string, double> figures)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(figures);
        var paid = load.Count("200");
        figures["paid"] = paid;
        figures["refused"] = load.Count("409");
        // Paid out, less what the balance actually went down by: zero when every payment left the balance.
        var created = Math.Abs(paid - ((double)Opening - figures["balance"]));
        figures[CreatedPerThousand] = Math.Round(created * 1000 / Math.Max(1, load.Requests), 1);
    }

    private sealed record LedgerBody(int Id, decimal Opening, decimal Movements, int Entries, decimal Balance);
}
