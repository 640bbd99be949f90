import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The part of the helm command line the chart's checks use, run by Helm's own Go code (helm-java's
 * native library): `version`, `template NAME CHART [--set k=v]... [-f FILE]... [--namespace NS]` and
 * `lint CHART [--set k=v]...`. Output and exit codes follow helm's: manifests on stdout, errors on
 * stderr, exit 1 on failure.
 *
 * helm-java's template leaves out hook manifests, which `helm template` prints. So the chart is
 * rendered from a copy whose hook annotation is renamed, which Helm then treats as an ordinary
 * manifest, and the name is put back in the output: every manifest still comes from Helm's engine.
 */
public final class HelmCli {
  public static void main(String[] args) {
    try {
      System.exit(run(List.of(args)));
    } catch (RuntimeException e) {
      System.err.println("Error: " + e.getMessage());
      System.exit(1);
    }
  }

  private static int run(List<String> args) {
    if (args.isEmpty()) return usage();
    switch (args.get(0)) {
      case "version":
        System.out.println(Helm.version().call());
        return 0;
      case "template":
        return template(args.subList(1, args.size()));
      case "lint":
        return lint(args.subList(1, args.size()));
      default:
        return usage();
    }
  }

  private static int template(List<String> args) {
    Options options = Options.parse(args);
    if (options.positional.size() != 2) return usage();
    Path chart = withHooksAsManifests(Path.of(options.positional.get(1)));
    try {
      TemplateCommand command = new Helm(chart).template().withName(options.positional.get(0));
      if (options.namespace != null) command = command.withNamespace(options.namespace);
      for (Path file : options.valuesFiles) command = command.withValuesFile(file);
      for (String[] pair : options.sets) command = command.set(pair[0], pair[1]);
      System.out.print(command.call().replace(HIDDEN_HOOK, HOOK));
      return 0;
    } finally {
      delete(chart);
    }
  }

  private static final String HOOK = "helm.sh/hook";
  private static final String HIDDEN_HOOK = "tally.local/helm-java-hook";

  private static Path withHooksAsManifests(Path chart) {
    try {
      Path copy = Files.createTempDirectory("tally-chart-").resolve(chart.getFileName());
      try (Stream<Path> files = Files.walk(chart)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Path target = copy.resolve(chart.relativize(file).toString());
          if (Files.isDirectory(file)) Files.createDirectories(target);
          else if (file.getParent().getFileName().toString().equals("templates")) Files.writeString(target, Files.readString(file).replace(HOOK + ":", HIDDEN_HOOK + ":"));
          else Files.copy(file, target);
        }
      }
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path chart) {
    try (Stream<Path> files = Files.walk(chart.getParent())) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("helm.sh: could not remove " + chart.getParent() + ": " + e.getMessage());
    }
  }

  private static int lint(List<String> args) {
    Options options = Options.parse(args);
    if (options.positional.size() != 1) return usage();
    LintCommand command = new Helm(Path.of(options.positional.get(0))).lint().strict();
    LintResult result = command.call();
    result.getMessages().forEach(System.out::println);
    System.out.println(result.isFailed() ? "1 chart(s) linted, 1 chart(s) failed" : "1 chart(s) linted, 0 chart(s) failed");
    return result.isFailed() ? 1 : 0;
  }

  private static int usage() {
    System.err.println("usage: helm.sh version | template NAME CHART [--set k=v]... [-f FILE]... [--namespace NS] | lint CHART");
    return 2;
  }

  private static final class Options {
    final List<String> positional = new ArrayList<>();
    final List<String[]> sets = new ArrayList<>();
    final List<Path> valuesFiles = new ArrayList<>();
    String namespace;

    static Options parse(List<String> args) {
      Options options = new Options();
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        if (arg.equals("--set") && i + 1 < args.size()) options.sets.add(split(args.get(++i)));
        else if ((arg.equals("-f") || arg.equals("--values")) && i + 1 < args.size()) options.valuesFiles.add(Path.of(args.get(++i)));
        else if ((arg.equals("-n") || arg.equals("--namespace")) && i + 1 < args.size()) options.namespace = args.get(++i);
        else options.positional.add(arg);
      }
      return options;
    }

    private static String[] split(String assignment) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("--set expects key=value, got " + assignment);
      return new String[] {assignment.substring(0, eq), assignment.substring(eq + 1)};
    }
  }
}
