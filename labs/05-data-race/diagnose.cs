// The diagnosis of lab 05, as the report's "Symptoms" and "Diagnosis" quote it:
//   dotnet run labs/05-data-race/diagnose.cs
// (from the repository root). Each step prints the command that does the same by hand, then what it printed; the
// transcript and figures.json land in artifacts/diagnosis/05/.
#:project ../../src/Workshop.Toolkit/Workshop.Toolkit.csproj

using System.Globalization;
using System.Text;
using System.Text.Json;
using Workshop.Toolkit.Diagnostics;

await using var run = Diagnosis.Begin("05");

foreach (var variant in new[] { "Broken", "Fixed" })
{
    var v = variant.ToLowerInvariant();
    run.Step($"{variant}: 200 withdrawals of 1.00 at once from account 7, which holds 100.00; then 300 deposits of 1.00 at once into account 8");
    var wallet = await run.StartAsync(variant, ("Lab:LedgerLatencyMs", "20"), ("Lab:InitialBalance", "100"));
    await run.CurlAsync(wallet, HttpMethod.Get, "/api/accounts/7");
    var withdrawals = await run.LoadAsync(wallet, _ => Post("/api/accounts/7/withdraw"), 200, 200,
        $"hey -n 200 -c 200 -m POST -T application/json -d '{{\"amount\": 1.00}}' {wallet.BaseAddress}api/accounts/7/withdraw");
    var ledger7 = Ledger(await run.CurlAsync(wallet, HttpMethod.Get, "/api/accounts/7/ledger"));
    var deposits = await run.LoadAsync(wallet, _ => Post("/api/accounts/8/deposit"), 300, 200,
        $"hey -n 300 -c 200 -m POST -T application/json -d '{{\"amount\": 1.00}}' {wallet.BaseAddress}api/accounts/8/deposit");
    var ledger8 = Ledger(await run.CurlAsync(wallet, HttpMethod.Get, "/api/accounts/8/ledger"));

    run.Figure($"{v}_paid", withdrawals.Count("200"));
    run.Figure($"{v}_refused", withdrawals.Count("409"));
    run.Figure($"{v}_balance", ledger7.Balance);
    run.Figure($"{v}_overdrawn", Math.Max(0, -(ledger7.Opening + ledger7.Movements))); // what the ledger says the account owes
    run.Figure($"{v}_deposits_ok", deposits.Count("200"));
    run.Figure($"{v}_deposit_balance", ledger8.Balance);
    run.Figure($"{v}_deposits_lost", 400 - ledger8.Balance);
    await wallet.DisposeAsync();
}

static HttpRequestMessage Post(string path) => new(HttpMethod.Post, path)
{
    Content = new StringContent("{\"amount\": 1.00}", Encoding.UTF8, "application/json"),
};

static (double Opening, double Movements, double Balance) Ledger(string json)
{
    using var document = JsonDocument.Parse(json);
    var root = document.RootElement;
    return (root.GetProperty("opening").GetDouble(), root.GetProperty("movements").GetDouble(), root.GetProperty("balance").GetDouble());
}
