using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Workshop.Downstream;

/// <summary>How the downstream answers: set at start (<c>Downstream:Mode</c>, ...) or at run time (<c>PUT /control</c>).</summary>
public sealed record BehaviourOptions
{
    public const string Section = "Downstream";

    /// <summary><c>ok</c>, <c>slow</c> (wait <see cref="DelayMs"/> first), <c>fail</c> (answer <see cref="Status"/>),
    /// <c>hang</c> (answer nothing until the mode changes, then answer as the new mode says), <c>drop</c> (send half the body, then close the connection), <c>stall</c> (send the
    /// headers and the start of the body, then nothing, the connection left open).</summary>
    [RegularExpression("^(ok|slow|fail|hang|drop|stall)$")]
    public string Mode { get; init; } = "ok";

    [Range(0, 600_000)]
    public int DelayMs { get; init; }

    [Range(400, 599)]
    public int Status { get; init; } = 503;

    /// <summary>The size of an answer's body: a first line that describes the request, then rows up to this size.</summary>
    [Range(0, 16_384)]
    public int BodyKb { get; init; } = 64;

    /// <summary>The share of requests the mode applies to, from 0 to 1: at 0.25 every fourth request is slow, fails,
    /// hangs or drops and the others are answered ok, spread evenly (a provider that fails now and then). 1: all.</summary>
    [Range(0.0, 1.0)]
    public double FailureRate { get; init; } = 1;
}

/// <summary>The behaviour in force, swapped whole so a request sees one consistent setting.</summary>
public sealed class Behaviour(IOptions<BehaviourOptions> initial)
{
    private BehaviourOptions _current = initial.Value;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BehaviourOptions Current => Volatile.Read(ref _current);

    /// <summary>Completes at the next <see cref="Set"/>: a hung request waits on it, as a provider that recovers
    /// answers the calls it was holding.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public void Set(BehaviourOptions next)
    {
        Volatile.Write(ref _current, next);
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
