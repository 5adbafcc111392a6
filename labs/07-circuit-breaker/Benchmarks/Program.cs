using BenchmarkDotNet.Running;

namespace Lab07.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project labs/07-circuit-breaker/Benchmarks -- --filter '*' --job short --inProcess
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
