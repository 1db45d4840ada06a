"""Function words of the request languages: what carries no meaning of its own in a
request ('I want something like...', 'je voudrais un film'). Used to tell whether a
request says anything beyond its references, and to keep spans that start or end with
one out of the value matcher."""

from __future__ import annotations

STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("""a an the and or but not no with without for of to in on at by is are was be it its this
that these those something some me my i i'm im we you your want wants like please more less than movie movies
film films book books show shows give recommend recommendation recommendations suggest find looking look
anything any one ones about similar good great nice new really very just also maybe perhaps kind sort type
thanks thank now instead rather there have has got get can could would should tonight today watch read see
buy need into from as so what which who how much many again else another other same around approximately
roughly circa actual actually real truly genuinely""".split()),
    "fr": frozenset("""le la les l des une un et ou mais pas sans avec pour de du d au aux est je j me moi m veux
voudrais voudrait aimerais cherche quelque chose comme plus moins film films livre livres qui que qu sur dans
donne donne-moi recommande propose ce cette ces cet genre style semblable pareil roman romans un une très bien
bon bonne autre encore en y a il elle on nous vous mon ma mes son sa ses se s n ne c ça environ autour
alentours vrai vraie vrais vraies vraiment montre montre-moi montrez montrez-moi""".split()),
    "es": frozenset("""el la los las una un unos unas y o pero no sin con para de del al es yo me quiero quisiera
busco algo como más menos película películas peli pelis libro libros que en por dame recomienda recomiéndame
este esta estos estas ese esa a parecido parecida parecidos tipo estilo novela novelas hay muy bien bueno buena
otro otra mi mis su sus se lo le les nos alrededor aproximadamente realmente verdadero verdadera enséñame
enseñame muéstrame muestrame verdad""".split()),
}

# Chinese words that name no value of their own (the value matcher's character windows
# skip them: '电影' is close to 'Film-Noir' but means any film)
ZH_STOP: frozenset[str] = frozenset("""电影 影片 片子 电视剧 书籍 东西 一部 一本 一个 一些 推荐 什么 好看 有没有 适合 想看
想要 我想 给我 一起 的书 的电影 手机 本书 部电影 看的 读的 没有 有没 真的 真正""".split())

# Words that name the kind of thing every item of a catalog is ('a film', 'un libro',
# '手机'): kept out of the semantic query, where they only pull in titles that contain them
# ('Scary Movie' for 'a heist movie')
KIND_WORDS: frozenset[str] = frozenset("""film films movie movies flick flicks película películas peli pelis
book books livre livres libro libros phone phones smartphone smartphones téléphone téléphones móvil móviles
celular celulares teléfono teléfonos 电影 影片 手机""".split())
