package org.pshmem.mpj;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes MPJ Express 0.44 listen on {@link ListenAddress} only. MPJ opens every listening socket on every
 * interface and has no setting to change that: niodev binds {@code new InetSocketAddress(port)} in
 * {@code NIODevice.bindPort}, the daemon, its port manager and the starter open {@code new ServerSocket(port)}.
 * Before MPJ loads those classes, this rewrites exactly those calls in them, and nothing else, into calls of
 * {@link ListenAddress}'s factories (and the starter's {@code InetAddress.getLocalHost()}, the name it tells ranks
 * to connect back to, into {@link ListenAddress#localHost()}), then defines the rewritten classes in MPJ's own
 * class loader and package with {@link MethodHandles.Lookup#defineClass}. Each call must be found exactly once,
 * as in MPJ Express 0.44; otherwise nothing is defined and the process refuses to go on.
 *
 * <p>The rewrite keeps every instruction boundary: {@code new T; dup; <int>; invokespecial T.<init>(I)V} becomes
 * {@code nop; nop; nop; nop; <int>; invokestatic factory(I)T}, the same length, so no offset, branch, stack map
 * frame or exception range moves.
 */
final class ListenPatch
{
    /** niodev, in every rank JVM: its two server channels per rank. */
    static final Group NIODEV = new Group("xdev.niodev.ConfigReader",
        new Target("xdev.niodev.NIODevice", Call.SOCKET_ADDRESS));
    /** The daemon: its own port (40055), its port manager (40052) and the manager's probe of free ports. */
    static final Group DAEMON = new Group("runtime.daemon.JarClassLoader",
        new Target("runtime.daemon.PortManager", Call.SERVER_SOCKET),
        new Target("runtime.daemon.PortManagerThread", Call.SERVER_SOCKET),
        new Target("runtime.daemon.MPJDaemon", Call.SERVER_SOCKET));
    /** The starter ({@code MPJRun}): the port (40002) where ranks on every host exchange their addresses. */
    static final Group STARTER = new Group("runtime.starter.IOMessagesThread",
        new Target("runtime.starter.MPJRun", Call.SERVER_SOCKET, Call.LOCAL_HOST));

    private static final String FACTORY_CLASS = ListenAddress.class.getName().replace('.', '/');
    private static final int NOP = 0x00;
    private static final int DUP = 0x59;
    private static final int NEW = 0xbb;
    private static final int INVOKESPECIAL = 0xb7;
    private static final int INVOKESTATIC = 0xb8;
    private static final Set<Group> INSTALLED = new HashSet<>();

    private ListenPatch()
    {
    }

    /** A call of MPJ's that listens on every interface, and the factory of {@link ListenAddress} that replaces it. */
    enum Call
    {
        SOCKET_ADDRESS("java/net/InetSocketAddress", "<init>", "(I)V", "socketAddress", "(I)Ljava/net/InetSocketAddress;"),
        SERVER_SOCKET("java/net/ServerSocket", "<init>", "(I)V", "serverSocket", "(I)Ljava/net/ServerSocket;"),
        LOCAL_HOST("java/net/InetAddress", "getLocalHost", "()Ljava/net/InetAddress;", "localHost",
            "()Ljava/net/InetAddress;");

        final String owner;
        final String name;
        final String descriptor;
        final String factory;
        final String factoryDescriptor;

        Call(final String owner, final String name, final String descriptor, final String factory,
            final String factoryDescriptor)
        {
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
            this.factory = factory;
            this.factoryDescriptor = factoryDescriptor;
        }

        boolean isConstructor()
        {
            return name.equals("<init>");
        }

        @Override
        public String toString()
        {
            return owner + "." + name + descriptor;
        }
    }

    /** A class of MPJ's and the calls in it to rewrite, each found exactly once. */
    record Target(String className, List<Call> calls)
    {
        Target(final String className, final Call... calls)
        {
            this(className, List.of(calls));
        }
    }

    /**
     * Classes of one package of MPJ's, rewritten together, and a class of that package which does not refer to
     * them, through which they are defined.
     */
    record Group(String anchor, List<Target> targets)
    {
        Group(final String anchor, final Target... targets)
        {
            this(anchor, List.of(targets));
        }
    }

    /**
     * For a rank's JVM: when MPJ's arguments name the niodev device, makes niodev listen on one address.
     *
     * @param args the rank's arguments from MPJ: rank, configuration, device, then the application's.
     */
    static void installForRank(final String[] args)
    {
        if (null != args && args.length >= 3 && "niodev".equals(args[2]))
        {
            install(NIODEV);
        }
    }

    /**
     * Rewrites and defines the group's classes in the class loader of this class (MPJ's and pshmem's jars share the
     * class path); once per JVM.
     *
     * @throws IllegalStateException when the listening address cannot be used, a class is not MPJ Express 0.44's,
     * or MPJ already loaded it (its calls would listen on every interface).
     */
    static synchronized void install(final Group group)
    {
        if (INSTALLED.contains(group))
        {
            return;
        }
        ListenAddress.get(); // a bad setting fails here, with its reason, not inside MPJ's code
        final ClassLoader loader = ListenPatch.class.getClassLoader();
        final Map<String, byte[]> rewritten = new LinkedHashMap<>();
        for (final Target target : group.targets())
        {
            rewritten.put(target.className(), rewrite(read(loader, target.className()), target));
        }
        final MethodHandles.Lookup lookup;
        try
        {
            lookup = MethodHandles.privateLookupIn(Class.forName(group.anchor(), false, loader), MethodHandles.lookup());
        }
        catch (final ClassNotFoundException | IllegalAccessException ex)
        {
            throw new IllegalStateException("cannot define MPJ Express's classes beside " + group.anchor() + ": " + ex, ex);
        }
        for (final Map.Entry<String, byte[]> entry : rewritten.entrySet())
        {
            try
            {
                lookup.defineClass(entry.getValue());
            }
            catch (final IllegalAccessException ex)
            {
                throw new IllegalStateException("cannot define MPJ Express's " + entry.getKey() + ": " + ex, ex);
            }
            catch (final LinkageError ex)
            {
                throw new IllegalStateException("MPJ Express's " + entry.getKey() + " was loaded before pshmem could " +
                    "make it listen on " + ListenAddress.get().getHostAddress() + " only (" + ex + ")", ex);
            }
        }
        INSTALLED.add(group);
    }

    private static byte[] read(final ClassLoader loader, final String className)
    {
        final String resource = className.replace('.', '/') + ".class";
        try (InputStream in = loader.getResourceAsStream(resource))
        {
            if (null == in)
            {
                throw new IllegalStateException("MPJ Express's " + className + " is not on the class path");
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + resource + " from the class path", ex);
        }
    }

    /**
     * @param classFile the class as MPJ Express ships it.
     * @param target    the calls to rewrite in it.
     * @return the class with each call rewritten and the factories' references added to its constant pool.
     * @throws IllegalStateException when a call is not found exactly once in a form this can rewrite.
     */
    static byte[] rewrite(final byte[] classFile, final Target target)
    {
        final byte[] patched = classFile.clone();
        final ConstantPool pool = new ConstantPool(classFile);
        final ByteArrayOutputStream added = new ByteArrayOutputStream();
        int next = pool.count;
        final Map<Call, Integer> factories = new LinkedHashMap<>();
        final int ownerUtf8 = next++;
        final int ownerClass = next++;
        utf8(added, FACTORY_CLASS);
        added.write(7);
        u2(added, ownerUtf8);
        for (final Call call : target.calls())
        {
            final int name = next++;
            final int descriptor = next++;
            final int nameAndType = next++;
            utf8(added, call.factory);
            utf8(added, call.factoryDescriptor);
            added.write(12);
            u2(added, name);
            u2(added, descriptor);
            added.write(10);
            u2(added, ownerClass);
            u2(added, nameAndType);
            factories.put(call, next++);
        }
        final Map<Call, int[]> found = new LinkedHashMap<>(); // {rewritten, every invocation}
        target.calls().forEach(call -> found.put(call, new int[2]));
        for (final int[] code : pool.codeRanges())
        {
            for (int pc = 0; pc < code[1]; pc += instructionLength(classFile, code[0], pc))
            {
                final int at = code[0] + pc;
                final int op = classFile[at] & 0xff;
                for (final Call call : target.calls())
                {
                    if ((op == INVOKESPECIAL || op == INVOKESTATIC) && pool.isMethod(u2(classFile, at + 1), call))
                    {
                        found.get(call)[1]++;
                        if (!call.isConstructor())
                        {
                            patched[at + 1] = (byte)(factories.get(call) >> 8);
                            patched[at + 2] = (byte)(int)factories.get(call);
                            found.get(call)[0]++;
                        }
                    }
                    if (op == NEW && call.isConstructor() && pool.isClass(u2(classFile, at + 1), call.owner))
                    {
                        final int load = intLoadLength(classFile, at + 4);
                        final int invoke = at + 4 + load;
                        if ((classFile[at + 3] & 0xff) == DUP && load > 0 &&
                            (classFile[invoke] & 0xff) == INVOKESPECIAL && pool.isMethod(u2(classFile, invoke + 1), call))
                        {
                            for (int i = 0; i < 4; i++)
                            {
                                patched[at + i] = NOP;
                            }
                            patched[invoke] = (byte)INVOKESTATIC;
                            patched[invoke + 1] = (byte)(factories.get(call) >> 8);
                            patched[invoke + 2] = (byte)(int)factories.get(call);
                            found.get(call)[0]++;
                        }
                    }
                }
            }
        }
        for (final Map.Entry<Call, int[]> entry : found.entrySet())
        {
            if (entry.getValue()[0] != 1 || entry.getValue()[1] != 1)
            {
                throw new IllegalStateException("MPJ Express's " + target.className() + " is not the class of MPJ " +
                    "Express 0.44 that pshmem knows: it has " + entry.getValue()[1] + " call(s) of " + entry.getKey() +
                    " (" + entry.getValue()[0] + " in a form pshmem can rewrite), not 1; refusing to run it listening " +
                    "on every interface");
            }
        }
        if (next > 0xffff)
        {
            throw new IllegalStateException("the constant pool of " + target.className() + " is full");
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(classFile.length + added.size());
        out.write(patched, 0, 8);
        u2(out, next);
        out.write(patched, 10, pool.end - 10);
        out.writeBytes(added.toByteArray());
        out.write(patched, pool.end, patched.length - pool.end);
        return out.toByteArray();
    }

    /**
     * @return the length of the instruction at {@code at} if it pushes an int local or an int field of
     * {@code this} ({@code iload_n}, {@code iload n}, {@code aload_0; getfield}), else 0.
     */
    private static int intLoadLength(final byte[] code, final int at)
    {
        final int op = code[at] & 0xff;
        if (op >= 0x1a && op <= 0x1d)
        {
            return 1;
        }
        if (op == 0x15)
        {
            return 2;
        }
        return op == 0x2a && (code[at + 1] & 0xff) == 0xb4 ? 4 : 0;
    }

    /** The length of the JVM instruction at {@code pc} of the code starting at {@code start}. */
    private static int instructionLength(final byte[] bytes, final int start, final int pc)
    {
        final int op = bytes[start + pc] & 0xff;
        switch (op)
        {
            case 0x10: case 0x12: case 0x15: case 0x16: case 0x17: case 0x18: case 0x19:
            case 0x36: case 0x37: case 0x38: case 0x39: case 0x3a: case 0xa9: case 0xbc:
                return 2;
            case 0x11: case 0x13: case 0x14: case 0x84: case 0xa7: case 0xa8: case 0xbb: case 0xbd: case 0xc0:
            case 0xc1: case 0xc6: case 0xc7:
                return 3;
            case 0xc5:
                return 4;
            case 0xb9: case 0xba: case 0xc8: case 0xc9:
                return 5;
            case 0xc4:
                return (bytes[start + pc + 1] & 0xff) == 0x84 ? 6 : 4;
            case 0xaa:
            {
                final int table = start + pc + 1 + (3 - (pc % 4));
                final int low = ByteBuffer.wrap(bytes, table + 4, 4).getInt();
                final int high = ByteBuffer.wrap(bytes, table + 8, 4).getInt();
                return table - (start + pc) + 12 + 4 * (high - low + 1);
            }
            case 0xab:
            {
                final int table = start + pc + 1 + (3 - (pc % 4));
                final int pairs = ByteBuffer.wrap(bytes, table + 4, 4).getInt();
                return table - (start + pc) + 8 + 8 * pairs;
            }
            default:
                if (op >= 0x99 && op <= 0xa6 || op >= 0xb2 && op <= 0xb8)
                {
                    return 3;
                }
                return 1;
        }
    }

    private static int u2(final byte[] bytes, final int at)
    {
        return (bytes[at] & 0xff) << 8 | bytes[at + 1] & 0xff;
    }

    private static void u2(final ByteArrayOutputStream out, final int value)
    {
        out.write(value >> 8);
        out.write(value);
    }

    private static void utf8(final ByteArrayOutputStream out, final String ascii)
    {
        out.write(1);
        u2(out, ascii.length());
        out.writeBytes(ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** The constant pool of a class file, and where its methods' code is. */
    private static final class ConstantPool
    {
        final byte[] bytes;
        final int count;
        final int[] tags;
        final int[] offsets;
        final int end;

        ConstantPool(final byte[] bytes)
        {
            this.bytes = bytes;
            if (ByteBuffer.wrap(bytes).getInt() != 0xcafebabe)
            {
                throw new IllegalStateException("not a class file");
            }
            count = u2(bytes, 8);
            tags = new int[count];
            offsets = new int[count];
            int at = 10;
            for (int i = 1; i < count; i++)
            {
                tags[i] = bytes[at] & 0xff;
                offsets[i] = at + 1;
                switch (tags[i])
                {
                    case 1: at += 3 + u2(bytes, at + 1); break;
                    case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: at += 5; break;
                    case 5: case 6: at += 9; i++; break;
                    case 7: case 8: case 16: case 19: case 20: at += 3; break;
                    case 15: at += 4; break;
                    default: throw new IllegalStateException("unknown constant pool tag " + tags[i] + " at entry " + i);
                }
            }
            end = at;
        }

        String utf8(final int index)
        {
            try
            {
                return new DataInputStream(new ByteArrayInputStream(bytes, offsets[index], 2 + u2(bytes, offsets[index])))
                    .readUTF();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("bad constant pool entry " + index, ex);
            }
        }

        boolean isClass(final int index, final String name)
        {
            return index > 0 && index < count && tags[index] == 7 && utf8(u2(bytes, offsets[index])).equals(name);
        }

        boolean isMethod(final int index, final Call call)
        {
            if (index <= 0 || index >= count || tags[index] != 10 || !isClass(u2(bytes, offsets[index]), call.owner))
            {
                return false;
            }
            final int nameAndType = u2(bytes, offsets[index] + 2);
            return utf8(u2(bytes, offsets[nameAndType])).equals(call.name) &&
                utf8(u2(bytes, offsets[nameAndType] + 2)).equals(call.descriptor);
        }

        /** @return {start, length} of the code of every method. */
        List<int[]> codeRanges()
        {
            int at = end + 6;
            at += 2 + 2 * u2(bytes, at); // interfaces
            at = skipMembers(at, null);
            final List<int[]> code = new ArrayList<>();
            skipMembers(at, code);
            return code;
        }

        /** Skips a fields or methods table; collects the code of each member when {@code code} is not null. */
        private int skipMembers(final int start, final List<int[]> code)
        {
            int at = start + 2;
            for (int member = u2(bytes, start); member > 0; member--)
            {
                final int attributes = u2(bytes, at + 6);
                at += 8;
                for (int a = 0; a < attributes; a++)
                {
                    final int length = ByteBuffer.wrap(bytes, at + 2, 4).getInt();
                    if (null != code && utf8(u2(bytes, at)).equals("Code"))
                    {
                        code.add(new int[] {at + 14, ByteBuffer.wrap(bytes, at + 10, 4).getInt()});
                    }
                    at += 6 + length;
                }
            }
            return at;
        }
    }
}
