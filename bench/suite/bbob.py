"""The 24 noiseless BBOB functions of COCO, instance generation included, in plain Python.

Mirrors bench/suite/bbob.ts line for line: COCO's legacy random generator (bbob2009_unif, _gauss),
its rotations, x_opt and f_opt, and each function's transformations applied in the order COCO's
wrappers apply them, so that both languages and COCO's C code give the same numbers (checked by
bench/suite/crosscheck.ts against values printed by COCO itself, coco-reference.json).
Standard library only.
"""
import math

PI = math.pi
SUITE_DIMS = (2, 5, 10)

# COCO's five function groups, by function number.
GROUPS = {
    "separable": range(1, 6),
    "low-conditioning": range(6, 10),
    "high-conditioning": range(10, 15),
    "multimodal-global": range(15, 20),
    "multimodal-weak": range(20, 25),
}


def group_of(f):
    for name, fs in GROUPS.items():
        if f in fs:
            return name
    raise ValueError(f"no BBOB function f{f}")


# ---- COCO's legacy random numbers (suite_bbob_legacy_code.c) ----

def unif(n, inseed):
    """n uniform numbers from COCO's bbob2009_unif (a shuffled Park-Miller generator)."""
    inseed = abs(inseed)
    if inseed < 1:
        inseed = 1
    aktseed = inseed
    rgrand = [0] * 32
    for i in range(39, -1, -1):
        tmp = aktseed // 127773
        aktseed = 16807 * (aktseed - tmp * 127773) - 2836 * tmp
        if aktseed < 0:
            aktseed += 2147483647
        if i < 32:
            rgrand[i] = aktseed
    aktrand = rgrand[0]
    r = []
    for _ in range(n):
        tmp = aktseed // 127773
        aktseed = 16807 * (aktseed - tmp * 127773) - 2836 * tmp
        if aktseed < 0:
            aktseed += 2147483647
        tmp = aktrand // 67108865
        aktrand = rgrand[tmp]
        rgrand[tmp] = aktseed
        v = aktrand / 2.147483647e9
        r.append(1e-99 if v == 0.0 else v)
    return r


def gauss(n, seed):
    u = unif(2 * n, seed)
    g = []
    for i in range(n):
        v = math.sqrt(-2 * math.log(u[i])) * math.cos(2 * PI * u[n + i])
        g.append(1e-99 if v == 0.0 else v)
    return g


def rotation(seed, d):
    """d x d orthogonal matrix (rows of lists): Gram-Schmidt on the columns of a Gaussian matrix."""
    g = gauss(d * d, seed)
    b = [[g[j * d + i] for j in range(d)] for i in range(d)]
    for i in range(d):
        for j in range(i):
            prod = 0.0
            for k in range(d):
                prod += b[k][i] * b[k][j]
            for k in range(d):
                b[k][i] -= prod * b[k][j]
        prod = 0.0
        for k in range(d):
            prod += b[k][i] * b[k][i]
        norm = math.sqrt(prod)
        for k in range(d):
            b[k][i] /= norm
    return b


def compute_xopt(seed, d):
    r = unif(d, seed)
    out = []
    for v in r:
        x = 8 * math.floor(1e4 * v) / 1e4 - 4
        out.append(-1e-5 if x == 0.0 else x)
    return out


def compute_fopt(function, instance):
    rseed = {4: 3, 18: 17}.get(function, function)
    rrseed = rseed + 10000 * instance
    gval = gauss(1, rrseed)[0]
    gval2 = gauss(1, rrseed + 1)[0]
    return min(1000.0, max(-1000.0, math.floor(100.0 * 100.0 * gval / gval2 + 0.5) / 100.0))


# ---- transformations (transform_vars_*.c, transform_obj_*.c) ----

def mat_vec(m, x, b=None):
    out = []
    for i in range(len(m)):
        s = 0.0 if b is None else b[i]
        row = m[i]
        for j in range(len(x)):
            s += x[j] * row[j]
        out.append(s)
    return out


def shift(x, offset):
    return [x[i] - offset[i] for i in range(len(x))]


def t_osz(x):
    out = []
    for v in x:
        if v > 0.0:
            t = math.log(v) / 0.1
            out.append(math.pow(math.exp(t + 0.49 * (math.sin(t) + math.sin(0.79 * t))), 0.1))
        elif v < 0.0:
            t = math.log(-v) / 0.1
            out.append(-math.pow(math.exp(t + 0.49 * (math.sin(0.55 * t) + math.sin(0.31 * t))), 0.1))
        else:
            out.append(0.0)
    return out


def obj_osz(y):
    return t_osz([y])[0] if y != 0 else y


def t_asy(x, beta):
    d = len(x)
    out = []
    for i, v in enumerate(x):
        if v > 0.0:
            out.append(math.pow(v, 1.0 + beta * i / (d - 1.0) * math.sqrt(v)))
        else:
            out.append(v)
    return out


def conditioning(x, alpha):
    d = len(x)
    return [math.pow(alpha, 0.5 * i / (d - 1.0)) * x[i] for i in range(d)]


def brs(x):
    d = len(x)
    out = []
    for i, v in enumerate(x):
        factor = math.pow(math.sqrt(10.0), i / (d - 1.0))
        if v > 0.0 and i % 2 == 0:
            factor *= 10.0
        out.append(factor * v)
    return out


def penalty(x, bound=5.0):
    p = 0.0
    for v in x:
        c = abs(v) - bound
        if c > 0.0:
            p += c * c
    return p


def scaled_product(rot1, rot2, base):
    """rot1 . diag(base^(k/(d-1))) . rot2, COCO's M for the functions with two rotations."""
    d = len(rot1)
    return [[sum(rot1[i][k] * math.pow(base, k / (d - 1.0)) * rot2[k][j] for k in range(d)) for j in range(d)]
            for i in range(d)]


def cround(v):
    return math.floor(v + 0.5)


# ---- raw functions ----

def raw_sphere(x):
    return sum(v * v for v in x)


def raw_ellipsoid(x):
    d = len(x)
    r = x[0] * x[0]
    for i in range(1, d):
        r += math.pow(1.0e6, i / (d - 1.0)) * x[i] * x[i]
    return r


def raw_rastrigin(x):
    s1 = 0.0
    s2 = 0.0
    for v in x:
        s1 += math.cos(2 * PI * v)
        s2 += v * v
    return 10.0 * (len(x) - s1) + s2


def raw_rosenbrock(x):
    s1 = 0.0
    s2 = 0.0
    for i in range(len(x) - 1):
        t = x[i] * x[i] - x[i + 1]
        s1 += t * t
        t = x[i] - 1.0
        s2 += t * t
    return 100.0 * s1 + s2


def raw_discus(x):
    return 1.0e6 * x[0] * x[0] + sum(v * v for v in x[1:])


def raw_bent_cigar(x):
    return x[0] * x[0] + sum(1.0e6 * v * v for v in x[1:])


def raw_sharp_ridge(x):
    return 100.0 * math.sqrt(sum(v * v for v in x[1:])) + x[0] * x[0]


def raw_different_powers(x):
    d = len(x)
    s = 0.0
    for i, v in enumerate(x):
        s += math.pow(abs(v), 2.0 + 4.0 * i / (d - 1.0))
    return math.sqrt(s)


WEIERSTRASS_AK = [math.pow(0.5, k) for k in range(12)]
WEIERSTRASS_BK = [math.pow(3.0, k) for k in range(12)]
WEIERSTRASS_F0 = 0.0
for _k in range(12):
    WEIERSTRASS_F0 += WEIERSTRASS_AK[_k] * math.cos(2 * PI * WEIERSTRASS_BK[_k] * 0.5)


def raw_weierstrass(x):
    r = 0.0
    for v in x:
        for k in range(12):
            r += math.cos(2 * PI * (v + 0.5) * WEIERSTRASS_BK[k]) * WEIERSTRASS_AK[k]
    return 10.0 * math.pow(r / len(x) - WEIERSTRASS_F0, 3.0)


def raw_schaffers(x):
    d = len(x)
    r = 0.0
    for i in range(d - 1):
        t = x[i] * x[i] + x[i + 1] * x[i + 1]
        r += math.pow(t, 0.25) * (1.0 + math.pow(math.sin(50.0 * math.pow(t, 0.1)), 2.0))
    return math.pow(r / (d - 1.0), 2.0)


def raw_griewank_rosenbrock(x):
    d = len(x)
    r = 0.0
    for i in range(d - 1):
        c1 = x[i] * x[i] - x[i + 1]
        c2 = 1.0 - x[i]
        t = 100.0 * c1 * c1 + c2 * c2
        r += t / 4000.0 - math.cos(t)
    return 10.0 + 10.0 * r / (d - 1)


def raw_schwefel(x):
    d = len(x)
    pen = penalty(x, 500.0)
    s = 0.0
    for v in x:
        s += v * math.sin(math.sqrt(abs(v)))
    return 0.01 * (pen + 418.9828872724339 - s / d)


def raw_katsuura(x):
    d = len(x)
    r = 1.0
    for i, v in enumerate(x):
        t = 0.0
        for j in range(1, 33):
            t2 = math.pow(2.0, j)
            t += abs(t2 * v - cround(t2 * v)) / t2
        r *= 1.0 + (i + 1) * t
    return 10.0 / d / d * (-1.0 + math.pow(r, 10.0 / math.pow(d, 1.2)))


# ---- the problems ----

class BbobProblem:
    """BBOB function `f` (1..24) in dimension `dim`, instance `instance` (1 in the suite)."""

    def __init__(self, f, dim, instance=1):
        if not 1 <= f <= 24:
            raise ValueError(f"no BBOB function f{f}")
        self.f = f
        self.dim = dim
        self.instance = instance
        self.name = f"bbob-f{f}-d{dim}"
        self.group = group_of(f)
        rseed = f + 10000 * instance
        if f == 4:
            rseed = 3 + 10000 * instance
        if f == 18:
            rseed = 17 + 10000 * instance
        self.rseed = rseed
        self.fopt = compute_fopt(f, instance)
        getattr(self, f"_setup_f{f}")()

    def __call__(self, x):
        return self._eval(list(x))

    # Each _setup_fN sets self.xopt (where f = fopt) and self._eval.
    def _setup_f1(self):
        xo = compute_xopt(self.rseed, self.dim)
        self.xopt = xo
        self._eval = lambda x: raw_sphere(shift(x, xo)) + self.fopt

    def _setup_f2(self):
        xo = compute_xopt(self.rseed, self.dim)
        self.xopt = xo
        self._eval = lambda x: raw_ellipsoid(t_osz(shift(x, xo))) + self.fopt

    def _setup_f3(self):
        xo = compute_xopt(self.rseed, self.dim)
        self.xopt = xo
        self._eval = lambda x: raw_rastrigin(conditioning(t_asy(t_osz(shift(x, xo)), 0.2), 10.0)) + self.fopt

    def _setup_f4(self):
        xo = compute_xopt(self.rseed, self.dim)
        for i in range(0, self.dim, 2):
            xo[i] = abs(xo[i])
        self.xopt = xo
        self._eval = lambda x: raw_rastrigin(brs(t_osz(shift(x, xo)))) + self.fopt + 100.0 * penalty(x)

    def _setup_f5(self):
        d = self.dim
        xo = compute_xopt(self.rseed, d)
        best = [-5.0 if v < 0.0 else 5.0 for v in xo]
        s = []
        for i in range(d):
            si = math.pow(math.sqrt(100.0), i / (d - 1.0))
            s.append(si if best[i] > 0.0 else -si)
        self.xopt = best

        def ev(x):
            r = 0.0
            for i in range(d):
                # Beyond the optimum's corner the slope is flat (COCO's boundary handling).
                xi = x[i] if x[i] * best[i] < 25.0 else best[i]
                r += 5.0 * abs(s[i]) - s[i] * xi
            return r + self.fopt
        self._eval = ev

    def _setup_f6(self):
        d = self.dim
        xo = compute_xopt(self.rseed, d)
        m = scaled_product(rotation(self.rseed + 1000000, d), rotation(self.rseed, d), math.sqrt(10.0))
        self.xopt = xo

        def ev(x):
            z = mat_vec(m, shift(x, xo))
            r = 0.0
            for i in range(d):
                r += (100.0 * 100.0 if xo[i] * z[i] > 0.0 else 1.0) * z[i] * z[i]
            return math.pow(obj_osz(r), 0.9) + self.fopt
        self._eval = ev

    def _setup_f7(self):
        d = self.dim
        xo = compute_xopt(self.rseed, d)
        rot1 = rotation(self.rseed + 1000000, d)
        rot2 = rotation(self.rseed, d)
        self.xopt = xo

        def ev(x):
            pen = penalty(x)
            z = []
            for i in range(d):
                c1 = math.sqrt(math.pow(100.0 / 10.0, i / (d - 1)))
                s = 0.0
                for j in range(d):
                    s += c1 * rot2[i][j] * (x[j] - xo[j])
                z.append(s)
            x1 = z[0]
            z = [cround(v) if abs(v) > 0.5 else cround(10.0 * v) / 10.0 for v in z]
            xx = mat_vec(rot1, z)
            r = 0.0
            for i in range(d):
                r += math.pow(100.0, i / (d - 1.0)) * xx[i] * xx[i]
            return 0.1 * max(abs(x1) * 1.0e-4, r) + pen + self.fopt
        self._eval = ev

    def _setup_f8(self):
        d = self.dim
        xo = [0.75 * v for v in compute_xopt(self.rseed, d)]
        factor = max(1.0, math.sqrt(d) / 8.0)
        self.xopt = xo
        self._eval = lambda x: raw_rosenbrock([factor * v + 1.0 for v in shift(x, xo)]) + self.fopt

    def _setup_f9(self):
        d = self.dim
        rot = rotation(self.rseed, d)
        factor = max(1.0, math.sqrt(d) / 8.0)
        m = [[factor * rot[i][j] for j in range(d)] for i in range(d)]
        b = [0.5] * d
        self.xopt = [sum(rot[i][j] for i in range(d)) / (2.0 * factor) for j in range(d)]
        self._eval = lambda x: raw_rosenbrock(mat_vec(m, x, b)) + self.fopt

    def _setup_f10(self):
        xo = compute_xopt(self.rseed, self.dim)
        rot = rotation(self.rseed + 1000000, self.dim)
        self.xopt = xo
        self._eval = lambda x: raw_ellipsoid(t_osz(mat_vec(rot, shift(x, xo)))) + self.fopt

    def _setup_f11(self):
        xo = compute_xopt(self.rseed, self.dim)
        rot = rotation(self.rseed + 1000000, self.dim)
        self.xopt = xo
        self._eval = lambda x: raw_discus(t_osz(mat_vec(rot, shift(x, xo)))) + self.fopt

    def _setup_f12(self):
        xo = compute_xopt(self.rseed + 1000000, self.dim)
        rot = rotation(self.rseed + 1000000, self.dim)
        self.xopt = xo
        self._eval = lambda x: raw_bent_cigar(mat_vec(rot, t_asy(mat_vec(rot, shift(x, xo)), 0.5))) + self.fopt

    def _setup_f13(self):
        d = self.dim
        xo = compute_xopt(self.rseed, d)
        m = scaled_product(rotation(self.rseed + 1000000, d), rotation(self.rseed, d), math.sqrt(10.0))
        self.xopt = xo
        self._eval = lambda x: raw_sharp_ridge(mat_vec(m, shift(x, xo))) + self.fopt

    def _setup_f14(self):
        xo = compute_xopt(self.rseed, self.dim)
        rot = rotation(self.rseed + 1000000, self.dim)
        self.xopt = xo
        self._eval = lambda x: raw_different_powers(mat_vec(rot, shift(x, xo))) + self.fopt

    def _setup_f15(self):
        d = self.dim
        xo = compute_xopt(self.rseed, d)
        rot1 = rotation(self.rseed + 1000000, d)
        m = scaled_product(rot1, rotation(self.rseed, d), math.sqrt(10.0))
        self.xopt = xo
        self._eval = lambda x: raw_rastrigin(mat_vec(m, t_asy(t_osz(mat_vec(rot1, shift(x, xo))), 0.2))) + self.fopt

    def _setup_f16(self):
        d = self.dim
        xo = compute_xopt(self.rseed, d)
        rot1 = rotation(self.rseed + 1000000, d)
        m = scaled_product(rot1, rotation(self.rseed, d), 1.0 / math.sqrt(100.0))
        self.xopt = xo
        self._eval = lambda x: (raw_weierstrass(mat_vec(m, t_osz(mat_vec(rot1, shift(x, xo))))) + self.fopt
                                + 10.0 / d * penalty(x))

    def _setup_f17(self):
        self._setup_schaffers(10.0)

    def _setup_f18(self):
        self._setup_schaffers(1000.0)

    def _setup_schaffers(self, cond):
        d = self.dim
        xo = compute_xopt(self.rseed, d)
        rot1 = rotation(self.rseed + 1000000, d)
        rot2 = rotation(self.rseed, d)
        m = [[rot2[i][j] * math.pow(math.sqrt(cond), i / (d - 1.0)) for j in range(d)] for i in range(d)]
        self.xopt = xo
        self._eval = lambda x: (raw_schaffers(mat_vec(m, t_asy(mat_vec(rot1, shift(x, xo)), 0.5))) + self.fopt
                                + 10.0 * penalty(x))

    def _setup_f19(self):
        d = self.dim
        rot = rotation(self.rseed, d)
        scales = max(1.0, math.sqrt(d) / 8.0)
        m = [[rot[i][j] * scales for j in range(d)] for i in range(d)]
        self.xopt = [sum(m[i][j] for i in range(d)) / (2.0 * scales) for j in range(d)]
        self._eval = lambda x: raw_griewank_rosenbrock([v + 0.5 for v in mat_vec(m, x)]) + self.fopt

    def _setup_f20(self):
        d = self.dim
        r = unif(d, self.rseed)
        sign = [-1.0 if v - 0.5 < 0.0 else 1.0 for v in r]
        xo = [0.5 * 4.2096874637 * s for s in sign]
        two_abs = [2 * abs(v) for v in xo]
        self.xopt = [0.5 * 4.2096874633 * s for s in sign]

        def ev(x):
            x = [2.0 * (sign[i] * x[i]) for i in range(d)]
            z = [x[0]] + [x[i] + 0.25 * (x[i - 1] - two_abs[i - 1]) for i in range(1, d)]
            z = conditioning(shift(z, two_abs), 10.0)
            z = [100.0 * (z[i] + two_abs[i]) for i in range(d)]
            return raw_schwefel(z) + self.fopt
        self._eval = ev

    def _setup_f21(self):
        self._setup_gallagher(101)

    def _setup_f22(self):
        self._setup_gallagher(21)

    def _setup_gallagher(self, peaks):
        d = self.dim
        rseed = self.rseed
        maxcondition = 1000.0
        if peaks == 101:
            maxcondition1 = math.sqrt(maxcondition)
            b, c = 10.0, 5.0
        else:
            maxcondition1 = maxcondition
            b, c = 9.8, 4.9
        rot = rotation(rseed, d)
        r = unif(peaks - 1, rseed)
        # Stable sort by value; COCO's qsort sees distinct values here, so the order is the same.
        perm = sorted(range(peaks - 1), key=lambda i: r[i])
        cond = [maxcondition1] + [math.pow(maxcondition, perm[i - 1] / (peaks - 2.0)) for i in range(1, peaks)]
        peak_values = [10.0] + [(i - 1) / (peaks - 2.0) * (9.1 - 1.1) + 1.1 for i in range(1, peaks)]
        scales = []
        for i in range(peaks):
            ri = unif(d, rseed + 1000 * i)
            p = sorted(range(d), key=lambda j: ri[j])
            scales.append([math.pow(cond[i], p[j] / (d - 1.0) - 0.5) for j in range(d)])
        rn = unif(d * peaks, rseed)
        self.xopt = [0.8 * (b * rn[i] - c) for i in range(d)]
        x_local = [[0.0] * peaks for _ in range(d)]
        for i in range(d):
            for j in range(peaks):
                s = 0.0
                for k in range(d):
                    s += rot[i][k] * (b * rn[j * d + k] - c)
                x_local[i][j] = 0.8 * s if j == 0 else s
        fac = -0.5 / d

        def ev(x):
            pen = penalty(x)
            tmx = mat_vec(rot, x)
            f = 0.0
            for i in range(peaks):
                t2 = 0.0
                sc = scales[i]
                for j in range(d):
                    t = tmx[j] - x_local[j][i]
                    t2 += sc[j] * t * t
                f = max(f, peak_values[i] * math.exp(fac * t2))
            f = obj_osz(10.0 - f)
            return f * f + pen + self.fopt
        self._eval = ev

    def _setup_f23(self):
        d = self.dim
        xo = compute_xopt(self.rseed, d)
        m = scaled_product(rotation(self.rseed + 1000000, d), rotation(self.rseed, d), math.sqrt(100.0))
        self.xopt = xo
        self._eval = lambda x: raw_katsuura(mat_vec(m, shift(x, xo))) + self.fopt + penalty(x)

    def _setup_f24(self):
        d = self.dim
        rot1 = rotation(self.rseed + 1000000, d)
        rot2 = rotation(self.rseed, d)
        mu0 = 2.5
        s = 1.0 - 0.5 / (math.sqrt(d + 20.0) - 4.1)
        mu1 = -math.sqrt((mu0 * mu0 - 1.0) / s)
        g = gauss(d, self.rseed)
        xo = [-0.5 * mu0 if v < 0.0 else 0.5 * mu0 for v in g]
        self.xopt = xo

        def ev(x):
            pen = penalty(x)
            xh = [-2.0 * x[i] if xo[i] < 0.0 else 2.0 * x[i] for i in range(d)]
            tmp = []
            for i in range(d):
                c1 = math.pow(math.sqrt(100.0), i / (d - 1))
                t = 0.0
                for j in range(d):
                    t += c1 * rot2[i][j] * (xh[j] - mu0)
                tmp.append(t)
            z = mat_vec(rot1, tmp)
            s1 = s2 = s3 = 0.0
            for i in range(d):
                s1 += (xh[i] - mu0) * (xh[i] - mu0)
                s2 += (xh[i] - mu1) * (xh[i] - mu1)
                s3 += math.cos(2 * PI * z[i])
            return min(s1, d + s * s2) + 10.0 * (d - s3) + 1e4 * pen + self.fopt
        self._eval = ev


def suite_problems(dims=SUITE_DIMS):
    return [BbobProblem(f, d) for d in dims for f in range(1, 25)]
