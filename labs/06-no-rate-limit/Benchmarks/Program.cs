using BenchmarkDotNet.Running;

namespace Lab06.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project labs/06-no-rate-limit/Benchmarks -- --filter '*' --job short --inProcess
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
