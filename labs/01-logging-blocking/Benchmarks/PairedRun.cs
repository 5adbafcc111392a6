using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Lab01.Benchmarks;

/// <summary>
/// The socket benchmarks' hosts measured side by side instead of one after another: every host runs at once, and each
/// round times a block of requests on each in turn (in a rotating order), so that whatever else the machine runs
/// weighs on every host of a round alike. The figure is each host's per-round time against Baseline's in the same
/// round, and its median over the rounds: on a shared 2-core machine, where one host's time moves by more than 10%
/// from one minute to the next, a ratio taken a second apart holds where one taken minutes apart does not.
/// </summary>
/// <remarks>
/// Between blocks (not timed): a full collection, so a block pays for its own garbage only, and a pause long enough
/// for the previous host's log writer to empty its buffer, so its work does not fall into the next host's block.
/// The writer's work during a block is in that block's time; what is left of it when the block ends (at most one
/// interval's events, a few per cent of a block) is not.
/// </remarks>
public static class PairedRun
{
    private static readonly Dictionary<string, string> Pipelines = new()
    {
        ["FixedCompactJson"] = "Serilog, compact JSON",
        ["FixedZLogger"] = "ZLogger, JSON",
        ["FixedBatched"] = "Serilog, JSON, batched",
        ["SerilogNoSink"] = "Serilog, no sink",
        ["FixedBatchedNoScopes"] = "Serilog, JSON, batched, no scopes",
    };

    private static readonly string[] AllHosts = ["Baseline", "Fixed", "Broken", .. Pipelines.Keys];

    /// <summary><c>paired [--in-flight 1|16] [--rounds R (40)] [--block-ms M (300), the results' settings] [--hosts Baseline,Fixed,...] [--out FILE]</c></summary>
    public static int Run(string[] args)
    {
        var inFlight = int.Parse(Option(args, "--in-flight") ?? "1", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds") ?? "40", CultureInfo.InvariantCulture);
        var blockMs = int.Parse(Option(args, "--block-ms") ?? "300", CultureInfo.InvariantCulture);
        var names = (Option(args, "--hosts") ?? string.Join(',', AllHosts)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (inFlight is not (1 or ConcurrentRequestBenchmarks.InFlight))
        {
            Console.Error.WriteLine($"--in-flight must be 1 or {ConcurrentRequestBenchmarks.InFlight}, not {inFlight}.");
            return 2;
        }
        if (names.FirstOrDefault() != "Baseline")
        {
            Console.Error.WriteLine($"--hosts must start with Baseline; the others: {string.Join(", ", AllHosts)} or a pipeline of LogPipelineBenchmarks.");
            return 2;
        }

        var hosts = names.Select(n => Host.Start(n, inFlight)).ToList();
        try
        {
            // The size of a block: as many calls as Baseline makes in about blockMs, the same for every host.
            var calibrate = Stopwatch.StartNew();
            var calls = 0;
            while (calibrate.ElapsedMilliseconds < 500) { hosts[0].Call().GetAwaiter().GetResult(); calls++; }
            var callsPerBlock = Math.Max(100, (int)(calls * (blockMs / 500.0)));

            var times = hosts.ToDictionary(h => h.Name, _ => new List<double>());
            var bytes = hosts.ToDictionary(h => h.Name, _ => 0L);
            for (var round = 0; round < rounds; round++)
            {
                for (var i = 0; i < hosts.Count; i++)
                {
                    var host = hosts[(round + i) % hosts.Count];
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                    Thread.Sleep(300);
                    var allocated = GC.GetTotalAllocatedBytes(precise: true);
                    var watch = Stopwatch.StartNew();
                    for (var c = 0; c < callsPerBlock; c++) host.Call().GetAwaiter().GetResult();
                    watch.Stop();
                    bytes[host.Name] += GC.GetTotalAllocatedBytes(precise: true) - allocated;
                    times[host.Name].Add(watch.Elapsed.TotalMicroseconds / ((double)callsPerBlock * inFlight));
                }
                Console.Error.WriteLine($"round {round + 1} of {rounds}: " + string.Join(", ", hosts.Select(h => $"{h.Name} {times[h.Name][^1]:F1} us")));
            }

            var requests = (double)rounds * callsPerBlock * inFlight;
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"Paired run: {(inFlight == 1 ? "one request at a time" : $"{inFlight} requests in flight")}, {rounds} rounds of {callsPerBlock * inFlight:N0} requests a host, hosts side by side ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)");
            report.AppendLine();
            report.AppendLine("Hosts: " + string.Join("; ", hosts.Select(h => Pipelines.TryGetValue(h.Name, out var p) ? $"{h.Name} = the fixed service with the pipeline \"{p}\"" : h.Name)));
            report.AppendLine();
            report.AppendLine("| Host | median per request | ratio to Baseline, median of rounds | ratio, middle half of rounds | rounds within 1.10x | allocated per request |");
            report.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var host in hosts)
            {
                var ratios = times[host.Name].Zip(times["Baseline"], (t, b) => t / b).Order().ToList();
                var within = ratios.Count(r => r <= 1.10);
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"| {host.Name} | {Median(times[host.Name]):F2} us | {Median(ratios):F2} | {Quantile(ratios, 0.25):F2}-{Quantile(ratios, 0.75):F2} | {within} of {ratios.Count} | {bytes[host.Name] / requests / 1024:F2} KB |");
            }
            Console.WriteLine(report.ToString());
            if (Option(args, "--out") is { } path) File.WriteAllText(path, report.ToString());
        }
        finally
        {
            foreach (var host in hosts) host.Stop();
        }
        return 0;
    }

    private static double Median(IEnumerable<double> values) => Quantile(values.Order().ToList(), 0.5);

    private static double Quantile(List<double> sorted, double q)
    {
        var position = (sorted.Count - 1) * q;
        var low = (int)Math.Floor(position);
        var high = Math.Min(sorted.Count - 1, low + 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>One of the socket benchmarks' hosts, started through its own setup, called through its own benchmark method.</summary>
    private sealed record Host(string Name, Func<Task> Call, Action Stop)
    {
        public static Host Start(string name, int inFlight)
        {
            ServiceBenchmarks b = inFlight == 1 ? new SocketRequestBenchmarks() : new SocketConcurrentRequestBenchmarks();
            Action setup = name switch
            {
                "Baseline" => b.SetupBaseline,
                "Fixed" => b.SetupFixed,
                "Broken" => b.SetupBroken,
                _ => () => b.StartFixedWith(Pipelines.GetValueOrDefault(name) ?? name),
            };
            setup();
            Func<Task> call = b is SocketConcurrentRequestBenchmarks c ? c.GetOrdersAsync : b.GetOrderAsync;
            return new Host(name, call, b.Cleanup);
        }
    }
}
