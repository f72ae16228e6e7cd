package org.pshmem.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The class loader of one rank run as a thread: it defines the program's classes itself, from the class path of
 * its parent, so every rank has its own copy of them and of their static fields, as each JVM of an MPJ job has.
 * pshmem's own classes, its dependencies and the JDK come from the parent and are shared, so that the ranks
 * meet in one job and one transport. Resources are the parent's.
 *
 * <p>Reading class files through the parent, instead of taking a list of URLs, works with any parent: the
 * application class loader, a test runner's, or a jar whose manifest holds the class path.
 */
final class RankClassLoader extends ClassLoader
{
    static
    {
        registerAsParallelCapable();
    }

    /**
     * Packages loaded once for the whole job: pshmem's library and the dependencies of its transports (jffi,
     * Chronicle, MPJ Express and what they use). A program's own classes, including pshmem's tests and
     * examples, are in none of these.
     */
    private static final List<String> SHARED_PACKAGES = List.of(
        "org.pshmem.api.", "org.pshmem.spi.", "org.pshmem.local.", "org.pshmem.mpj.",
        "com.kenai.jffi.", "jnr.", "net.openhft.", "org.slf4j.", "org.apache.log4j.",
        "mpi.", "mpjdev.", "mpjbuf.", "xdev.", "runtime.");

    private final int rank;
    private final Map<URL, ProtectionDomain> domains = new ConcurrentHashMap<>();

    /**
     * @param rank   the world rank whose classes this loader holds, for its name.
     * @param parent the loader of pshmem and of the program's class path.
     */
    RankClassLoader(final int rank, final ClassLoader parent)
    {
        super("pshmem-rank-" + rank, parent);
        this.rank = rank;
    }

    /**
     * @return true when {@code className} is loaded once for the job rather than once per rank.
     */
    static boolean isShared(final String className)
    {
        for (final String prefix : SHARED_PACKAGES)
        {
            if (className.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(final String name, final boolean resolve) throws ClassNotFoundException
    {
        synchronized (getClassLoadingLock(name))
        {
            Class<?> loaded = findLoadedClass(name);
            if (null == loaded)
            {
                loaded = isShared(name) ? null : defineFromParentClassPath(name);
                if (null == loaded)
                {
                    return super.loadClass(name, resolve);
                }
            }
            if (resolve)
            {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    /**
     * @return the class defined by this loader from the class file the parent finds on its class path, or null
     * when that file is not a program's (the JDK's, or not found), so the parent's class is used.
     */
    private Class<?> defineFromParentClassPath(final String name) throws ClassNotFoundException
    {
        final String file = name.replace('.', '/') + ".class";
        final URL url = getParent().getResource(file);
        if (null == url || !("file".equals(url.getProtocol()) || "jar".equals(url.getProtocol())))
        {
            return null; // the JDK's modules (jrt:) and anything not on a class path stay shared
        }
        final byte[] bytes;
        try (InputStream in = url.openStream())
        {
            bytes = in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new ClassNotFoundException(name + " on rank " + rank + ": cannot read " + url, ex);
        }
        definePackageOf(name);
        return defineClass(name, bytes, 0, bytes.length, domainOf(url, file));
    }

    private void definePackageOf(final String name)
    {
        final int dot = name.lastIndexOf('.');
        if (dot > 0 && null == getDefinedPackage(name.substring(0, dot)))
        {
            definePackage(name.substring(0, dot), null, null, null, null, null, null, null);
        }
    }

    /** The class-path entry a class file came from, as its code source, so programs can find their jar. */
    private ProtectionDomain domainOf(final URL classUrl, final String file)
    {
        final String text = classUrl.toString();
        URL entry;
        try
        {
            entry = new URI("jar".equals(classUrl.getProtocol()) ?
                text.substring("jar:".length(), text.lastIndexOf("!/")) :
                text.substring(0, text.length() - file.length())).toURL();
        }
        catch (final URISyntaxException | MalformedURLException | IllegalArgumentException |
            IndexOutOfBoundsException ex)
        {
            entry = classUrl;
        }
        return domains.computeIfAbsent(entry,
            location -> new ProtectionDomain(new CodeSource(location, (Certificate[])null), null, this, null));
    }
}
