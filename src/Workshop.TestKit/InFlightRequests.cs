using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Workshop.TestKit;

/// <summary>Counts requests inside a test host's pipeline, so that stopping it can wait for them as Kestrel does.</summary>
internal sealed class InFlightRequests
{
    private readonly Lock _gate = new();
    private int _count;
    private TaskCompletionSource _idle = Completed();

    /// <summary>Waits until no request is in the pipeline, at most <paramref name="timeout"/>; false when some still are.</summary>
    public async Task<bool> DrainedAsync(TimeSpan timeout)
    {
        Task idle;
        lock (_gate) idle = _idle.Task;
        try
        {
            await idle.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false; // a request stuck on purpose (a stalled fake) must not hang the test run
        }
    }

    private void Enter()
    {
        lock (_gate)
        {
            if (_count++ == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private void Leave()
    {
        lock (_gate)
        {
            if (--_count == 0) _idle.TrySetResult();
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    /// <summary>Wraps the whole pipeline, the service's own middleware included.</summary>
    internal sealed class Filter(InFlightRequests inFlight) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                inFlight.Enter();
                try { await following(context); }
                finally { inFlight.Leave(); }
            });
            next(app);
        };
    }
}
