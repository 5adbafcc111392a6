using BenchmarkDotNet.Running;

namespace Lab01.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project labs/01-logging-blocking/Benchmarks -- --filter '*' --job short --inProcess
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
