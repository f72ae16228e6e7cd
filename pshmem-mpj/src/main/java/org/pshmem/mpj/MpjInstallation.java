package org.pshmem.mpj;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.pshmem.spi.Setting;

/**
 * Finds MPJ Express 0.44 ({@code MPJ_HOME}, else the Debian package {@code libmpj-java}) and prepares an MPJ
 * home that works. The Debian package's launcher is broken as installed: its jars' manifests name
 * {@code log4j-1.2.jar} and others beside themselves. The private home has real copies of the MPJ jars under
 * their plain names, the libraries they name, the configuration, and {@code bin/mpjrun.sh}: the installation's
 * own when it has one, else {@link #MPJRUN} (the Debian package has none); system files are never edited.
 * {@code ./pshmem mpj-home}, or {@code java -cp "$(./pshmem classpath)" org.pshmem.mpj.MpjInstallation}, prints
 * that home (for {@code MPJ_HOME}).
 */
public final class MpjInstallation
{
    static final Path DEBIAN_LIB = Path.of("/usr/share/mpj/lib");
    static final Path DEBIAN_CONF = Path.of("/usr/share/mpj/conf");
    static final Path DEBIAN_JAVA = Path.of("/usr/share/java");
    private static final String[] LIBRARIES = {"log4j-1.2.jar", "commons-cli.jar", "commons-io.jar", "commons-codec.jar"};
    /**
     * The {@code bin/mpjrun.sh} of a private home made from an installation without one: what upstream's does,
     * MPJ's starter from {@code $MPJ_HOME/lib/starter.jar} with the arguments given, on the {@code java} of the
     * PATH (the ranks' Java: under niodev the daemon starts them with its own).
     */
    static final String MPJRUN = """
        #!/bin/sh
        # mpjrun.sh for the MPJ Express home pshmem prepares (./pshmem mpj-home): runs MPJ's starter, as
        # upstream's mpjrun.sh does. Usage: mpjrun.sh -np N [-dev niodev|multicore] [JVM options] CLASS [args...]
        if [ -z "$MPJ_HOME" ]; then
            MPJ_HOME=$(cd "$(dirname "$0")/.." && pwd)
            export MPJ_HOME
        fi
        exec java -cp "$MPJ_HOME/lib/starter.jar" runtime.starter.MPJRun "$@"
        """;

    private MpjInstallation()
    {
    }

    /**
     * Prints the MPJ home pshmem uses, prepared, on stdout (the cache is {@code PSHMEM_CACHE_DIR}, default
     * {@code ~/.cache/pshmem}); exit status 1 with the reason when MPJ Express is missing.
     *
     * @param args none.
     */
    public static void main(final String[] args)
    {
        try
        {
            System.out.println(home(cacheDir()));
        }
        catch (final IOException | IllegalStateException ex)
        {
            System.err.println("pshmem: " + ex.getMessage());
            System.exit(1);
        }
    }

    /**
     * @return where private homes are kept: {@code PSHMEM_CACHE_DIR}, default {@code ~/.cache/pshmem}.
     */
    static Path cacheDir()
    {
        return Path.of(Setting.CACHE_DIR.explicitValue().orElse(System.getProperty("user.home") + "/.cache/pshmem"));
    }

    /**
     * @param cacheDir where private homes are kept.
     * @return an MPJ home whose {@code lib/starter.jar} runs.
     * @throws IllegalStateException naming what to install when MPJ Express is absent.
     */
    static Path home(final Path cacheDir) throws IOException
    {
        final String mpjHome = Setting.MPJ_HOME.explicitValue().orElse(null);
        if (null != mpjHome && !mpjHome.isBlank())
        {
            final Path home = Path.of(mpjHome);
            if (Files.isRegularFile(home.resolve("lib/starter.jar")) && Files.isRegularFile(home.resolve("lib/mpj.jar")))
            {
                if (Files.isSymbolicLink(home.resolve("lib/mpj.jar")) ||
                    !Files.isRegularFile(home.resolve("lib/log4j-1.2.jar")))
                {
                    return privateHome(home.resolve("lib"), home.resolve("conf"), home.resolve("bin/mpjrun.sh"),
                        cacheDir);
                }
                return home;
            }
            throw new IllegalStateException("MPJ_HOME=" + mpjHome + " has no lib/starter.jar and lib/mpj.jar; " +
                "point it at an MPJ Express 0.44 installation");
        }
        if (Files.isRegularFile(DEBIAN_LIB.resolve("starter.jar")))
        {
            return privateHome(DEBIAN_LIB, DEBIAN_CONF, DEBIAN_LIB.resolveSibling("bin/mpjrun.sh"), cacheDir);
        }
        throw new IllegalStateException("MPJ Express is not installed: on Debian, apt-get install libmpj-java; " +
            "elsewhere, unpack MPJ Express 0.44 and set MPJ_HOME");
    }

    /**
     * @param mpjrun the installation's {@code mpjrun.sh}, which need not exist.
     */
    private static Path privateHome(final Path lib, final Path conf, final Path mpjrun, final Path cacheDir)
        throws IOException
    {
        final Path home = cacheDir.resolve("mpj-home");
        final Path homeLib = home.resolve("lib");
        final Path homeConf = home.resolve("conf");
        Files.createDirectories(homeLib);
        Files.createDirectories(homeConf);
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(lib, "*.jar"))
        {
            for (final Path jar : jars)
            {
                // Versioned names (starter-0.44.jar) and plain links (starter.jar): real copies under plain names,
                // because a manifest's Class-Path is resolved beside the jar's real location.
                final String name = jar.getFileName().toString().replaceFirst("-\\d+(\\.\\d+)*\\.jar$", ".jar");
                copyIfChanged(jar, homeLib.resolve(name));
            }
        }
        for (final String library : LIBRARIES)
        {
            final Path source = DEBIAN_JAVA.resolve(library);
            if (Files.exists(source))
            {
                copyIfChanged(source, homeLib.resolve(library));
            }
        }
        if (Files.isDirectory(conf))
        {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(conf))
            {
                for (final Path file : files)
                {
                    copyIfChanged(file, homeConf.resolve(file.getFileName().toString()));
                }
            }
        }
        writeMpjrun(mpjrun, home.resolve("bin/mpjrun.sh"));
        return home;
    }

    /** The installation's {@code mpjrun.sh} when it has one, else {@link #MPJRUN}; executable either way. */
    private static void writeMpjrun(final Path installed, final Path target) throws IOException
    {
        Files.createDirectories(target.getParent());
        if (Files.isRegularFile(installed))
        {
            copyIfChanged(installed, target);
        }
        else if (!Files.isRegularFile(target) || !Files.readString(target).equals(MPJRUN))
        {
            final Path temporary = target.resolveSibling(target.getFileName() + ".tmp" + ProcessHandle.current().pid());
            Files.writeString(temporary, MPJRUN);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void copyIfChanged(final Path source, final Path target) throws IOException
    {
        if (!Files.exists(target) || Files.size(target) != Files.size(source) ||
            Files.getLastModifiedTime(target).compareTo(Files.getLastModifiedTime(source)) < 0)
        {
            final Path temporary = target.resolveSibling(target.getFileName() + ".tmp" + ProcessHandle.current().pid());
            Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
