using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Workshop.Cli.Commands;
using Workshop.Cli.Gameday;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Tests.Support;
using Workshop.Toolkit.Processes;
using Xunit.Abstractions;

namespace Workshop.Cli.Tests;

/// <summary>
/// `workshop gameday`: every lab's evidence list tells a right diagnosis from another lab's, and a game day drawn by seed
/// 1, revealed with a right and a wrong written diagnosis, marks them apart, names its lab and leaves no process behind.
/// </summary>
public sealed class GamedayTests(ITestOutputHelper output)
{
    // What a team that found the incident writes, in its own words (not the evidence file's), per lab.
    private static readonly Dictionary<string, string> RightDiagnoses = new(StringComparer.Ordinal)
    {
        ["01"] = "Answered requests per second fell to about ten while workshop_thread_pool_queue_length stayed high and threads kept being added: " +
                 "thread pool starvation. dotnet-stack showed almost every thread waiting for the lock in RequestLoggingMiddleware, one inside a file write. " +
                 "Root cause: the request log writes and flushes each line to the slow disk synchronously, under one lock, inside the request. " +
                 "Fix: hand log events to a bounded buffer drained by a background writer that drops them when it is full.",
        ["02"] = "The GC heap grows by about 128 KB per request and survives full collections. A dotnet-gcdump shows thousands of 128 KB byte arrays " +
                 "held by closures in the ApplicationStopping token's callback list. Root cause: each request registers a callback on ApplicationStopping " +
                 "that captures its report, and the registration is never disposed. Fix: dispose the registration (using var) when the request ends.",
        ["03"] = "price_cache_entries grows with every campaign link, far past the product count. workshop heapdiff shows dictionary entries and URL strings " +
                 "as what grew. The cache is keyed by the full URL with its utm query, with no TTL and no size limit. " +
                 "Fix: key by product and currency, set a size limit and an expiration.",
        ["04"] = "Connections to the weather provider keep growing until the cap, then the gateway answers 504. ss shows hundreds of established sockets " +
                 "to the provider. The HttpResponseMessage is never disposed, so its connection never goes back to the pool. Fix: dispose every response with using.",
        ["05"] = "With 200 withdrawals sent in parallel, the ledger went overdrawn while the balance barely moved. Sending them concurrently reproduces it " +
                 "every time. A race condition: the balance is read, checked and written back with an await in between, so updates are lost. " +
                 "Fix: a per-account SemaphoreSlim around the check and the update.",
        ["06"] = "CPU at 100 % and users_lookups_total spiking. Splitting requests by client showed the batch job retrying. Deleted users get a 500, " +
                 "the job retries every 500 at once, and nothing limits one caller. Fix: answer 404 for a missing user and add a rate limiter per client (429).",
        ["07"] = "shop_db_pool_waiting stays high: every database connection is held. Stack traces show checkouts waiting on the payment provider. " +
                 "The provider hangs and each checkout holds a connection through three tries with long timeouts, with no circuit breaker. " +
                 "Fix: a circuit breaker with short per-try timeouts, and no connection held during the call.",
        ["08"] = "Summed over the three replicas, the batch job got 180 lookups admitted for a burst of 60: three times its limit, once per replica. " +
                 "hey through the proxy with a new X-Client-Id header on each request got all 600 admitted. The token buckets live in memory in each process, " +
                 "keyed on the X-Client-Id the caller picks. Fix: keep the buckets in Redis, shared by every replica (RedisRateLimiting), keyed on API keys, " +
                 "with each replica's share of the limit as the fallback when Redis is down.",
        ["09"] = "The consumer's memory climbs with the queue's depth and rabbitmqctl list_queues shows thousands of messages unacknowledged, none ready: " +
                 "the broker handed the consumer the whole backlog. After a restart, orders were reserved twice: every unacknowledged message was redelivered. " +
                 "No prefetch limit (no BasicQos), so the broker pushes every message. Fix: set prefetch with BasicQos, bounded concurrency, acknowledge after the work, " +
                 "and an idempotency key per order for the warehouse so a redelivery is harmless.",
        ["10"] = "http_server_active_requests kept climbing, about one for every ten stock checks, and the retained heap grew with it: " +
                 "those requests never got an answer. A gcdump showed thousands of baskets and PendingCall objects held by the InventoryClient's " +
                 "ConcurrentDictionary of pending calls. Root cause: a call waits in the pending table with no deadline and without the request's " +
                 "cancellation token, and its entry is removed only when the backend's reply arrives, so every reply the inventory dropped left a caller " +
                 "waiting and its basket in memory for good. Fix: Task.WaitAsync with a timeout on the TimeProvider and the caller's token, remove the " +
                 "entry in a finally, cap the table at MaxPendingCalls (503) and answer 504 at the deadline, with inventory_pending_calls on /metrics.",
    };

    [Fact]
    public void Marks_EachLabsRightDiagnosis_NamesAllItsEvidenceAndNotAllOfAnyOtherLabs()
    {
        // Arrange
        var workspace = new Workspace(ScratchRepo.RealRoot, Spectre.Console.AnsiConsole.Console, Spectre.Console.AnsiConsole.Console);
        var labs = GamedayCommand.Candidates(workspace);

        // Act
        var named = labs.SelectMany(lab => labs.Select(text => (Lab: lab.Id, Text: text.Id,
            Named: GamedayBook.Read(lab).Marks(RightDiagnoses.GetValueOrDefault(text.Id, "")).Count(m => m),
            Of: GamedayBook.Read(lab).Evidence.Count))).ToList();

        // Assert
        labs.Select(l => l.Id).Should().BeEquivalentTo(RightDiagnoses.Keys, "every lab with a replay keeps a game day, and this test a right diagnosis for it");
        named.Where(n => n.Lab == n.Text && n.Named < n.Of).Should().BeEmpty("a right diagnosis names all its lab's evidence");
        named.Where(n => n.Lab != n.Text && n.Named == n.Of).Should().BeEmpty("another lab's diagnosis never names all of a lab's evidence");
    }

    [Fact]
    public async Task Gameday_Seed1RevealedWithRightAndWrongDiagnoses_MarksThemApartNamesTheLabAndLeavesNothing()
    {
        // Arrange: a game day as the game master starts it, its record in a folder of this test's own.
        var state = Directory.CreateTempSubdirectory("gameday-").FullName;
        try
        {
            var workspace = new Workspace(ScratchRepo.RealRoot, Spectre.Console.AnsiConsole.Console, Spectre.Console.AnsiConsole.Console);
            var drawn = GamedayCommand.Draw(GamedayCommand.Candidates(workspace), 1);
            using var game = Cli.Start(state, "gameday", "--seed", "1", "--minutes", "5");
            await game.WaitForAsync(s => s.Contains("[ALERT ", StringComparison.Ordinal), TimeSpan.FromMinutes(4), "the alert line");
            var record = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(state, "gameday.json"))).RootElement;
            int[] pids = [record.GetProperty("pid").GetInt32(), .. record.GetProperty("services").EnumerateArray().Select(p => p.GetInt32())];
            var right = Path.Combine(state, "team-right.md");
            var wrong = Path.Combine(state, "team-wrong.md");
            await File.WriteAllTextAsync(right, RightDiagnoses[drawn.Id]);
            await File.WriteAllTextAsync(wrong, RightDiagnoses[drawn.Id == "01" ? "05" : "01"]);

            // Act
            using var reveal = Cli.Start(state, "gameday", "--reveal", right, wrong);
            var exit = await reveal.ExitAsync(TimeSpan.FromMinutes(2));
            var gameExit = await game.ExitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"--- game\n{game.Out}\n{game.Err}\n--- reveal\n{reveal.Out}\n{reveal.Err}");

            // Assert
            game.Out.Should().NotContain(drawn.Name, "the alert does not name the lab");
            exit.Should().Be(0);
            reveal.Out.Should().Contain($"The incident was lab {drawn.Name}");
            var marks = reveal.Out.Split('\n').Where(l => l.Contains("team-", StringComparison.Ordinal)).ToList();
            marks.Should().ContainSingle(l => l.Contains("team-right.md", StringComparison.Ordinal)).Which.Should().Contain("4 of 4");
            marks.Should().ContainSingle(l => l.Contains("team-wrong.md", StringComparison.Ordinal)).Which.Should().NotContain("4 of 4");
            gameExit.Should().NotBe(0, "the game day was ended by the reveal's SIGTERM, not by its clock");
            pids.Where(GamedayState.IsRunning).Should().BeEmpty("the reveal stops the game day and every service it started");
            File.Exists(Path.Combine(state, "gameday.json")).Should().BeFalse("the reveal clears the game day's record");
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>The built CLI (workshop.dll beside the tests) as a process of its own, with its state in a given folder.</summary>
    private sealed class Cli : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _out = new();
        private readonly StringBuilder _err = new();

        private Cli(Process process) => _process = process;

        public string Out { get { lock (_out) return _out.ToString(); } }

        public string Err { get { lock (_err) return _err.ToString(); } }

        public static Cli Start(string state, params string[] args)
        {
            var info = new ProcessStartInfo(ProcessRunner.Dotnet)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = ScratchRepo.RealRoot,
            };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "workshop.dll"));
            foreach (var arg in args) info.ArgumentList.Add(arg);
            info.Environment["WORKSHOP_ROOT"] = ScratchRepo.RealRoot;
            info.Environment["WORKSHOP_STATE"] = state;
            info.Environment["NO_COLOR"] = "1";
            var cli = new Cli(Process.Start(info)!);
            cli._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (cli._out) cli._out.AppendLine(e.Data); };
            cli._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (cli._err) cli._err.AppendLine(e.Data); };
            cli._process.BeginOutputReadLine();
            cli._process.BeginErrorReadLine();
            return cli;
        }

        public async Task WaitForAsync(Func<string, bool> seen, TimeSpan timeout, string what)
        {
            var deadline = Stopwatch.StartNew();
            while (!seen(Out))
            {
                if (_process.HasExited) throw new InvalidOperationException($"workshop exited ({_process.ExitCode}) before printing {what}.\n{Out}\n{Err}");
                if (deadline.Elapsed > timeout) throw new TimeoutException($"workshop printed no {what} within {timeout.TotalSeconds:N0} s.\n{Out}\n{Err}");
                await Task.Delay(100);
            }
        }

        public async Task<int> ExitAsync(TimeSpan timeout)
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            _process.WaitForExit(); // the output's last lines
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
